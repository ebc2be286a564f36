using System;
using System.Net;
using System.Net.Http;
using Autosnap.Cloud;
using Xunit;

namespace Autosnap.Tests.Cloud
{
    public class FaultAndRetryAfterTests
    {
        // The headers as they come off the wire: the framework's typed headers parse them, as for a real answer.
        private static CloudResponse Answer(HttpStatusCode status, string body, params (string Name, string Value)[] headers)
        {
            using var answer = new HttpResponseMessage(status);
            foreach (var (name, value) in headers) Assert.True(answer.Headers.TryAddWithoutValidation(name, value));
            return CloudResponse.From(answer, body);
        }

        [Fact]
        public void Reads_a_nova_fault_envelope()
        {
            FaultBody fault = FaultBody.Parse("{\"conflictingRequest\": {\"code\": 409, \"message\": \"Cannot 'createImage' instance x while it is in task_state image_snapshot\"}}");
            Assert.Equal("conflictingRequest", fault.Name);
            Assert.StartsWith("Cannot 'createImage'", fault.Message);
        }

        [Fact]
        public void Reads_a_keystone_error()
        {
            FaultBody fault = FaultBody.Parse("{\"error\": {\"code\": 401, \"message\": \"The request you have made requires authentication.\", \"title\": \"Unauthorized\"}}");
            Assert.Equal("error", fault.Name);
            Assert.Equal("The request you have made requires authentication.", fault.Message);
        }

        [Fact]
        public void Reads_glance_s_flat_json_error()
        {
            // what Glance (Zed) sends to Accept: application/json, here a protected image's DELETE (api-record.txt)
            FaultBody fault = FaultBody.Parse("{\"message\": \"Image 1e6b4f3a-5f0c-4c6e-9a53-1b0e6d1c2a11 is protected and cannot be deleted.<br /><br />\\n\\n\\n\", \"code\": \"403 Forbidden\", \"title\": \"Forbidden\"}");
            Assert.Null(fault.Name);
            Assert.Equal("Image 1e6b4f3a-5f0c-4c6e-9a53-1b0e6d1c2a11 is protected and cannot be deleted.", fault.Message);
        }

        [Fact]
        public void Turns_an_html_error_page_into_one_line_of_words()
        {
            FaultBody fault = FaultBody.Parse("<html><head><title>503 Service Unavailable</title><style>p{}</style></head>\n<body><h1>503 Service Unavailable</h1>\n<p>No server is available.</p></body></html>");
            Assert.Null(fault.Name);
            Assert.Equal("503 Service Unavailable 503 Service Unavailable No server is available.", fault.Message);
        }

        [Fact]
        public void Truncated_json_is_read_as_text_not_an_exception()
        {
            FaultBody fault = FaultBody.Parse("{\"itemNotFound\": {\"code\": 4");
            Assert.Null(fault.Name);
            Assert.Contains("itemNotFound", fault.Message);
        }

        [Fact]
        public void Retry_after_in_seconds()
        {
            var response = Answer((HttpStatusCode)413, "{}", ("Retry-After", "7"));
            Assert.Equal(TimeSpan.FromSeconds(7), CloudHttp.RetryAfter(response, FaultBody.Parse(response.Body)));
        }

        [Fact]
        public void Retry_after_as_a_date_is_measured_against_the_answers_own_date()
        {
            // The server's clock may be far from ours (a simulated cloud is a year ahead): only the difference counts.
            var response = Answer((HttpStatusCode)413, "{}", ("Date", "Wed, 01 Jan 2031 00:00:00 GMT"), ("Retry-After", "Wed, 01 Jan 2031 00:00:42 GMT"));
            Assert.Equal(TimeSpan.FromSeconds(42), CloudHttp.RetryAfter(response, FaultBody.Parse(response.Body)));
        }

        [Fact]
        public void Retry_at_in_a_rackspace_overlimit_body()
        {
            var response = Answer((HttpStatusCode)413,
                "{\"overLimit\": {\"code\": 413, \"message\": \"Rate Control\", \"retryAt\": \"2031-01-01T00:01:00Z\"}}",
                ("Date", "Wed, 01 Jan 2031 00:00:30 GMT"));
            Assert.Equal(TimeSpan.FromSeconds(30), CloudHttp.RetryAfter(response, FaultBody.Parse(response.Body)));
        }

        [Fact]
        public void Retry_after_in_an_upstream_nova_429_body()
        {
            var response = Answer((HttpStatusCode)429, "{\"overLimit\": {\"code\": 429, \"message\": \"This request was rate-limited.\", \"retryAfter\": \"3\"}}");
            Assert.Equal(TimeSpan.FromSeconds(3), CloudHttp.RetryAfter(response, FaultBody.Parse(response.Body)));
        }

        [Fact]
        public void A_retry_date_in_the_past_means_now()
        {
            var response = Answer((HttpStatusCode)413, "{}", ("Date", "Wed, 01 Jan 2031 00:05:00 GMT"), ("Retry-After", "Wed, 01 Jan 2031 00:00:00 GMT"));
            Assert.Equal(TimeSpan.Zero, CloudHttp.RetryAfter(response, FaultBody.Parse(response.Body)));
        }

        [Fact]
        public void A_retry_after_that_is_neither_seconds_nor_a_date_yields_to_the_bodys_hint()
        {
            var response = Answer((HttpStatusCode)429, "{\"overLimit\": {\"code\": 429, \"message\": \"slow down\", \"retryAfter\": \"3\"}}", ("Retry-After", "soon"));
            Assert.Equal(TimeSpan.FromSeconds(3), CloudHttp.RetryAfter(response, FaultBody.Parse(response.Body)));
        }

        [Fact]
        public void No_hint_means_no_retry_after()
        {
            var response = Answer((HttpStatusCode)413, "<html>rate limited</html>");
            Assert.Null(CloudHttp.RetryAfter(response, FaultBody.Parse(response.Body)));
        }

        [Theory]
        [InlineData(401, CloudErrorKind.Authentication)]
        [InlineData(403, CloudErrorKind.Forbidden)]
        [InlineData(404, CloudErrorKind.NotFound)]
        [InlineData(409, CloudErrorKind.Conflict)]
        [InlineData(413, CloudErrorKind.RateLimited)]
        [InlineData(429, CloudErrorKind.RateLimited)]
        [InlineData(400, CloudErrorKind.BadRequest)]
        [InlineData(415, CloudErrorKind.BadRequest)]
        [InlineData(500, CloudErrorKind.Unavailable)]
        [InlineData(503, CloudErrorKind.Unavailable)]
        [InlineData(408, CloudErrorKind.Timeout)]
        public void Status_codes_map_to_kinds(int status, CloudErrorKind kind)
        {
            Assert.Equal(kind, CloudException.KindOf((HttpStatusCode)status));
        }
    }
}
