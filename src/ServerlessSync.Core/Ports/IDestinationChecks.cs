using ServerlessSync.Core.Model;

namespace ServerlessSync.Core.Ports;

/// <summary>The destination's numbered checks (Redshift: the customer's checklist), run once: each PASS, FAIL, WARN or SKIP.</summary>
public interface IDestinationChecks
{
    Task<DoctorReport> RunAsync(CancellationToken cancellationToken);
}
