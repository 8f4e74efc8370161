using System.Globalization;

namespace ServerlessSync.FakeZuoraServer;

/// <summary>
/// The server's command line: how many sample accounts, the seed their values come from, and how long the slowest
/// object's AQuA job takes (0: jobs complete by polls alone; N: the k-th of the tenant's n objects takes N·k/n seconds).
/// </summary>
internal sealed record ServerArguments(int Accounts, int Seed, int JobSeconds = 0)
{
    public const int DefaultAccounts = 1000;
    public const int DefaultSeed = 1;

    /// <summary>
    /// The sample makes about 12 rows per account, and the fake holds them all at about 1.2 KiB of memory per row:
    /// a million accounts is some 12 million rows and 14 GiB.
    /// </summary>
    public const int MaxAccounts = 1_000_000;

    /// <summary>The arguments, or null when one is unknown, lacks its value or is out of range.</summary>
    public static ServerArguments? Parse(IReadOnlyList<string> args)
    {
        var accounts = DefaultAccounts;
        var seed = DefaultSeed;
        var jobSeconds = 0;
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            switch (args[i])
            {
                case "--accounts" when value is >= 1 and <= MaxAccounts:
                    accounts = value;
                    break;
                case "--seed":
                    seed = value;
                    break;
                case "--job-seconds" when value <= 3600:
                    jobSeconds = value;
                    break;
                default:
                    return null;
            }
        }

        return new ServerArguments(accounts, seed, jobSeconds);
    }
}
