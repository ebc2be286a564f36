using Microsoft.AspNetCore.Builder;

// Placeholder until the LocalCloud issue fills it: a web app that starts and says where it listens.
var app = WebApplication.CreateBuilder(args).Build();
app.Lifetime.ApplicationStarted.Register(() =>
    System.Console.WriteLine("LocalCloud listening on " + string.Join(", ", app.Urls)));
app.Run();
