using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>
    /// A lock per pool (account, region, server, schedule) held while a job works on it, so that a run that
    /// overlaps an earlier one on this machine (a slow night, a cron line that fires twice) skips that pool
    /// instead of racing it. An exclusive open of a small file: the operating system releases it when the
    /// process ends, however it ends, so a crashed run never leaves a stale lock.
    /// Runs on different machines are kept apart by the cloud itself (one image task per server at a time)
    /// and by rotation being idempotent.
    /// </summary>
    internal sealed class PoolLock : IDisposable
    {
        private readonly FileStream _file;

        private PoolLock(FileStream file) => _file = file;

        /// <summary>The lock, or null when another run holds it.</summary>
        public static PoolLock? TryAcquire(RackspaceSession session, string region, string serverId, string schedule)
        {
            string key = string.Join("|", session.IdentityUrl.AbsoluteUri, session.TenantId ?? session.UserName, region.ToUpperInvariant(),
                serverId.ToLowerInvariant(), schedule);
            string path = Path.Combine(Directory, Hash(key) + ".lock");
            try
            {
                var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new PoolLock(file);
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>Per user: %LOCALAPPDATA%\autosnap\locks or ~/.local/share/autosnap/locks (the temp folder when neither exists).</summary>
        internal static string Directory
        {
            get
            {
                string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
                string directory = Path.Combine(string.IsNullOrEmpty(root) ? Path.GetTempPath() : root, "autosnap", "locks");
                System.IO.Directory.CreateDirectory(directory);
                return directory;
            }
        }

        private static string Hash(string text)
        {
            using var sha = SHA256.Create();
            byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
            var hex = new StringBuilder(hash.Length * 2);
            foreach (byte b in hash) hex.Append(b.ToString("x2"));
            return hex.ToString();
        }

        public void Dispose() => _file.Dispose();
    }
}
