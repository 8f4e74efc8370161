using System.Numerics;
using System.Runtime.CompilerServices;

namespace ServerlessSync.Sources.Synthetic;

/// <summary>
/// The tenant's only source of randomness: the splitmix64 finaliser over (seed, object, row, purpose) keys.
/// Everything here is integer arithmetic or IEEE-exact double operations (+ − × ÷, no library
/// transcendental), so one key gives the same bits on every machine and runtime.
/// </summary>
internal static class Mixer
{
    public const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>The splitmix64 finaliser: a bijection on 64-bit values with good avalanche.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A value in <c>[0, n)</c> from a hash (multiply-high: no division, no visible bias for small n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Below(ulong hash, long n) => (long)Math.BigMul(hash, (ulong)n, out _);

    /// <summary>A value in <c>[0, n)</c> from a hash.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Below(ulong hash, int n) => (int)Math.BigMul(hash, (ulong)n, out _);

    /// <summary>
    /// An exponentially distributed wait, in whole seconds (at least 1), with the given mean: the gap between
    /// two events of a Poisson process. Uses <see cref="NegLog"/>, not <see cref="Math.Log(double)"/>, so the
    /// result does not depend on the platform's math library.
    /// </summary>
    public static long ExponentialSeconds(ulong hash, long meanSeconds)
    {
        var wait = NegLog(hash) * meanSeconds;
        return wait < 1.0 ? 1 : (long)Math.Ceiling(wait);
    }

    /// <summary><c>-ln(u)</c> for <c>u = ((hash &gt;&gt; 11) + 1) / 2^53</c> in (0, 1], to about 1e-13 relative.</summary>
    public static double NegLog(ulong hash)
    {
        const double Ln2 = 0.6931471805599453;
        const double Sqrt2 = 1.4142135623730951;
        var m = (hash >> 11) + 1; // 1 .. 2^53, exact in a double
        var shift = BitOperations.LeadingZeroCount(m);
        var exponent = 63 - shift; // m in [2^exponent, 2^(exponent+1))
        var f = (double)(m << shift) * (1.0 / 9223372036854775808.0); // [1, 2), exact (m has at most 53 significant bits)
        if (f > Sqrt2)
        {
            f *= 0.5;
            exponent++;
        }

        // ln f = 2 atanh(s), s = (f − 1)/(f + 1), |s| < 0.172: the odd series to s^19 is below 1e-15.
        var s = (f - 1.0) / (f + 1.0);
        var s2 = s * s;
        var series = 1.0 / 19.0;
        series = (series * s2) + (1.0 / 17.0);
        series = (series * s2) + (1.0 / 15.0);
        series = (series * s2) + (1.0 / 13.0);
        series = (series * s2) + (1.0 / 11.0);
        series = (series * s2) + (1.0 / 9.0);
        series = (series * s2) + (1.0 / 7.0);
        series = (series * s2) + (1.0 / 5.0);
        series = (series * s2) + (1.0 / 3.0);
        series = (series * s2) + 1.0;
        var lnF = 2.0 * s * series;
        var lnU = lnF + ((exponent - 53) * Ln2);
        return -lnU;
    }
}

/// <summary>A splitmix64 stream of draws from one key: the values of one row (or one row version), in a fixed order.</summary>
internal struct Draws(ulong key)
{
    private ulong _state = key;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Next()
    {
        _state += Mixer.Golden;
        return Mixer.Mix(_state);
    }

    /// <summary>0 .. n − 1.</summary>
    public int Below(int n) => Mixer.Below(Next(), n);

    /// <summary>0 .. n − 1.</summary>
    public long Below(long n) => Mixer.Below(Next(), n);

    /// <summary>lo .. hi, both included.</summary>
    public long Between(long lo, long hi) => lo + Mixer.Below(Next(), hi - lo + 1);

    /// <summary>True with probability <paramref name="percent"/>/100.</summary>
    public bool Percent(int percent) => Mixer.Below(Next(), 100) < percent;

    public T Pick<T>(T[] items) => items[Mixer.Below(Next(), items.Length)];
}
