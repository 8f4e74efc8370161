using System.Runtime.CompilerServices;
using ServerlessSync.Core.Ports;

namespace ServerlessSync.Embedded.LocalStaging;

/// <summary>
/// The staging store on one machine: a directory whose files are the keys. A write lands in a temporary
/// file and is renamed into place on commit, so a reader never sees half a part.
/// </summary>
public sealed class LocalDirectoryStagingStore : IStagingStore
{
    private readonly string _root;

    public LocalDirectoryStagingStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    /// <summary>Removes everything one run staged for a connector (an interrupted run's parts, finished or not).</summary>
    /// <param name="connectorId">the connector</param>
    /// <param name="runId">the run</param>
    public void RemoveRun(string connectorId, string runId)
    {
        var directory = PathOf($"runs/{connectorId}/{runId}");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Removes what the connector's other runs left staged: an interrupted or killed run's parts, a failed load's kept
    /// files. Only for a caller that knows none of them runs any more (a sync holding the home's lock, after it
    /// succeeded). Returns the runs removed.
    /// </summary>
    /// <param name="connectorId">the connector</param>
    /// <param name="currentRunId">the run whose files stay</param>
    public IReadOnlyList<string> RemoveRunsOtherThan(string connectorId, string currentRunId)
    {
        var runs = PathOf($"runs/{connectorId}");
        if (!Directory.Exists(runs))
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories(runs))
        {
            var runId = Path.GetFileName(directory);
            if (runId != currentRunId)
            {
                Directory.Delete(directory, recursive: true);
                removed.Add(runId);
            }
        }

        return removed;
    }

    public Task<IStagedObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        return Task.FromResult<IStagedObjectWriter>(new Writer(path, temp, stream));
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"staged object {key} does not exist in {_root}", path);
        }

        return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));
    }

    public async IAsyncEnumerable<StagedObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var keys = new List<StagedObjectInfo>();
        if (Directory.Exists(_root))
        {
            foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
            {
                if (file.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    continue;
                }

                var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    keys.Add(new StagedObjectInfo(key, new FileInfo(file).Length));
                }
            }
        }

        keys.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var k in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return k;
        }

        await Task.CompletedTask;
    }

    public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            var path = PathOf(key);
            File.Delete(path);
            RemoveEmptyParents(Path.GetDirectoryName(path));
        }

        return Task.CompletedTask;
    }

    public string LocationOf(string key) => PathOf(key);

    private string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (key.StartsWith('/') || key.Contains('\\', StringComparison.Ordinal) || key.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"'{key}' is not a valid staging key (relative, '/'-separated, no empty, '.' or '..' segments)", nameof(key));
        }

        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    private void RemoveEmptyParents(string? directory)
    {
        while (directory is not null
            && directory.Length > _root.Length
            && directory.StartsWith(_root, StringComparison.Ordinal)
            && Directory.Exists(directory)
            && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
            directory = Path.GetDirectoryName(directory);
        }
    }

    private sealed class Writer(string path, string temp, FileStream stream) : IStagedObjectWriter
    {
        private bool _committed;

        public Stream Body => stream;

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await stream.FlushAsync(cancellationToken);
            await stream.DisposeAsync();
            File.Move(temp, path, overwrite: true);
            _committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            if (!_committed)
            {
                File.Delete(temp);
            }
        }
    }
}
