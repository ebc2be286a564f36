using System;
using System.Collections.Concurrent;
using System.Collections.Generic;

namespace Autosnap.LocalCloud.State;

/// <summary>An issued token. Expiry is on the virtual clock.</summary>
public sealed class Token
{
    public required string Id { get; init; }
    public required Account Account { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    /// <summary>Keystone methods ("password", "application_credential", "token").</summary>
    public required IReadOnlyList<string> Methods { get; init; }
    public string? ApplicationCredentialId { get; init; }
    /// <summary>Keystone v3 tokens without a project scope cannot call compute or image.</summary>
    public bool Scoped { get; init; } = true;
    public required string AuditId { get; init; }

    public void Revoke() => Revoked = true;
    public bool Revoked { get; private set; }
}

public sealed class TokenStore
{
    private readonly ConcurrentDictionary<string, Token> _tokens = new(StringComparer.Ordinal);

    public void Add(Token token) => _tokens[token.Id] = token;

    /// <summary>The token if it exists and has not expired at <paramref name="now"/>.</summary>
    public Token? Validate(string? id, DateTimeOffset now) =>
        id is not null && _tokens.TryGetValue(id, out var token) && token.ExpiresAt > now && !token.Revoked ? token : null;

    public void Clear() => _tokens.Clear();

    public int Count => _tokens.Count;
}
