using System;
using System.Security.Cryptography;
using System.Text;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// Ids derived from names, for seeded things: the same seed file gives the same server and image ids on
/// every start, so they can be written in docs and scripts.
/// </summary>
public static class StableIds
{
    public static string Uuid(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D");
    }

    public static string Hex32(string name) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16)).ToLowerInvariant();

    public static bool IsUuid(string? text) => Guid.TryParseExact(text, "D", out _) || Guid.TryParseExact(text, "N", out _);
}
