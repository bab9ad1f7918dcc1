using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using ServeSharp.Storage.Archives;
using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Tests.Archives;

public sealed class SafeArchiveExtractorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Destination => Directory.CreateDirectory(_temp.Path_("out/model")).FullName;

    private async Task ExtractAsync(byte[] archive, string name, ArchiveLimits? limits = null)
    {
        var path = _temp.Write("in/" + name, archive);
        await new SafeArchiveExtractor(limits ?? new ArchiveLimits()).ExtractAsync(path, name, ArchiveKinds.FromName(name), Destination, CancellationToken.None);
    }

    private async Task<StorageException> RejectedAsync(byte[] archive, string name, ArchiveLimits? limits = null)
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => ExtractAsync(archive, name, limits));
        Assert.Equal(StorageErrorKind.Archive, error.Kind);

        // Nothing may appear next to the destination (the folder that holds it and the input folder).
        Assert.Equal(["model"], Directory.GetFileSystemEntries(_temp.Path_("out")).Select(Path.GetFileName));
        Assert.Equal([name], Directory.GetFileSystemEntries(_temp.Path_("in")).Select(Path.GetFileName));
        Assert.False(File.Exists(_temp.Path_("evil.txt")));
        return error;
    }

    [Theory]
    [InlineData("model.tar")]
    [InlineData("model.tar.gz")]
    [InlineData("model.tgz")]
    public async Task Tar_WithNestedFoldersAndInternalLinks_IsExtracted(string name)
    {
        var tar = new TarBuilder()
            .Directory("./")
            .File("./model.onnx", "weights")
            .Directory("sub/")
            .File("sub/config.json", "{}")
            .Symlink("sub/weights", "../model.onnx")
            .HardLink("copy.onnx", "model.onnx");
        await ExtractAsync(name.EndsWith(".tar", StringComparison.Ordinal) ? tar.ToArray() : tar.ToGzip(), name);

        Assert.Equal(["copy.onnx", "model.onnx", "sub/config.json", "sub/weights"], TempDirectory.Tree(Destination));
        Assert.Equal("weights", File.ReadAllText(Path.Combine(Destination, "sub/weights")));
        Assert.Equal("weights", File.ReadAllText(Path.Combine(Destination, "copy.onnx")));
        Assert.Null(new FileInfo(Path.Combine(Destination, "copy.onnx")).LinkTarget);
    }

    [Fact]
    public async Task Zip_WithNestedFolders_IsExtracted()
    {
        await ExtractAsync(Zip(("model.onnx", "weights"), ("sub/", null), ("sub/deep/config.json", "{}")), "model.zip");

        Assert.Equal(["model.onnx", "sub/deep/config.json"], TempDirectory.Tree(Destination));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(Destination, "sub/deep/config.json")));
    }

    [Fact]
    public async Task Zip_WithDotDotEntry_IsRejected()
    {
        var error = await RejectedAsync(Zip(("ok.txt", "fine"), ("../../evil.txt", "pwned")), "model.zip");

        Assert.Contains("'../../evil.txt'", error.Message, StringComparison.Ordinal);
        Assert.Contains("outside the destination", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_WithDotDotEntry_IsRejected()
    {
        var error = await RejectedAsync(new TarBuilder().File("ok.txt", "fine").File("../evil.txt", "pwned").ToArray(), "model.tar");

        Assert.Contains("'../evil.txt'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_WithAbsolutePath_IsRejected()
    {
        var target = _temp.Path_("evil.txt");
        var error = await RejectedAsync(new TarBuilder().File(target, "pwned").ToGzip(), "model.tgz");

        Assert.Contains("absolute path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_WithSymlinkPointingOutside_IsRejected()
    {
        var error = await RejectedAsync(new TarBuilder().Symlink("escape", "../../evil.txt").ToArray(), "model.tar");

        Assert.Contains("symlink 'escape' points outside the destination", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_WithAbsoluteSymlink_IsRejected()
    {
        var error = await RejectedAsync(new TarBuilder().Symlink("passwd", "/etc/passwd").ToArray(), "model.tar");

        Assert.Contains("absolute path '/etc/passwd'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_WritingThroughAnInternalSymlink_IsRejected()
    {
        // "dir" -> "." is harmless alone; a second link through it would reach the parent.
        var error = await RejectedAsync(
            new TarBuilder().Symlink("dir", ".").Symlink("dir/up", "..").File("dir/up/evil.txt", "pwned").ToArray(),
            "model.tar");

        Assert.Contains("through the symlink 'dir'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_WithSymlinkChainThatEscapes_IsRejected()
    {
        var error = await RejectedAsync(
            new TarBuilder().Directory("sub/").Symlink("sub/link", "..").Symlink("escape", "sub/link/..").ToArray(),
            "model.tar");

        Assert.Contains("through another symlink", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_WithHardLinkOutside_IsRejected()
    {
        var error = await RejectedAsync(new TarBuilder().HardLink("passwd", "../../../etc/passwd").ToArray(), "model.tar");

        Assert.Contains("hard link 'passwd' points outside", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_WithDeviceFile_IsRejected()
    {
        var error = await RejectedAsync(new TarBuilder().File("ok.txt", "x").CharacterDevice("null").ToArray(), "model.tar");

        Assert.Contains("device file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_WithFifo_IsRejected()
    {
        var error = await RejectedAsync(new TarBuilder().Fifo("pipe").ToArray(), "model.tar");

        Assert.Contains("FIFO", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TarGz_ThatExpandsToTenGiB_IsRejectedBeforeWriting()
    {
        var path = _temp.Path_("in/bomb.tar.gz");
        Directory.CreateDirectory(_temp.Path_("in"));
        ArchiveBomb.WriteTarGz(path);
        Assert.InRange(new FileInfo(path).Length, 1, 20L * 1024 * 1024);

        var error = await Assert.ThrowsAsync<StorageException>(() =>
            new SafeArchiveExtractor(new ArchiveLimits()).ExtractAsync(path, "bomb.tar.gz", ArchiveKind.Tar, Destination, CancellationToken.None));

        Assert.Equal(StorageErrorKind.Archive, error.Kind);
        Assert.Contains("decompression bomb", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Destination));
    }

    [Fact]
    public async Task TarGz_Bomb_IsRejectedBySizeCapWhenRatioIsAllowed()
    {
        var path = _temp.Path_("in/bomb.tar.gz");
        Directory.CreateDirectory(_temp.Path_("in"));
        ArchiveBomb.WriteTarGz(path);
        var limits = new ArchiveLimits { MaxCompressionRatio = 1e9, MaxExtractedBytes = 1L << 30 };

        var error = await Assert.ThrowsAsync<StorageException>(() =>
            new SafeArchiveExtractor(limits).ExtractAsync(path, "bomb.tar.gz", ArchiveKind.Tar, Destination, CancellationToken.None));

        Assert.Contains("expands beyond 1 GiB", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Destination));
    }

    [Fact]
    public async Task Tar_WithTooManyEntries_IsRejected()
    {
        var tar = new TarBuilder();
        for (var i = 0; i < 20; i++)
        {
            tar.File($"f{i}.txt", "x");
        }

        var error = await RejectedAsync(tar.ToArray(), "model.tar", new ArchiveLimits { MaxEntries = 10 });

        Assert.Contains("more than 10 entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_ThatExpandsBeyondCap_IsRejectedBeforeWriting()
    {
        var error = await RejectedAsync(
            Zip(("zeros.bin", new string('\0', 2 * 1024 * 1024))),
            "model.zip",
            new ArchiveLimits { MaxExtractedBytes = 1024 * 1024 });

        Assert.Contains("expands beyond 1 MiB", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Destination));
    }

    [Fact]
    public async Task Zip_WithHighCompressionRatio_IsRejected()
    {
        var error = await RejectedAsync(
            Zip(("zeros.bin", new string('\0', 4 * 1024 * 1024))),
            "model.zip",
            new ArchiveLimits { RatioCheckThresholdBytes = 1024 * 1024 });

        Assert.Contains("decompression bomb", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model.tar.gz")]
    [InlineData("model.zip")]
    public async Task CorruptArchive_GivesKServeMessage(string name)
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => ExtractAsync(Encoding.UTF8.GetBytes("this is not an archive at all, sorry"), name));

        Assert.Equal(StorageErrorKind.Archive, error.Kind);
        Assert.StartsWith("Failed to unpack archive file. The file format is not valid.", error.Message, StringComparison.Ordinal);
    }

    // Damaged headers System.Formats.Tar reports with exceptions other than InvalidDataException (found by fuzzing;
    // they used to escape as InvalidOperationException or OverflowException instead of the archive error).
    [Fact]
    public async Task Tar_PaxTimeOutOfRange_GivesKServeMessage()
    {
        var error = await RejectedAsync(new TarBuilder().Pax("mtime", "99999999999999999").File("model.onnx", "w").ToArray(), "model.tar");

        Assert.StartsWith("Failed to unpack archive file. The file format is not valid.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_BinarySizeBeyondInt64_GivesKServeMessage()
    {
        var tar = new TarBuilder().File("model.onnx", "weights").ToArray();
        tar[124] = 0x80; // base-256 size: 88 bits of ones
        tar.AsSpan(125, 11).Fill(0xFF);
        FixChecksum(tar);

        var error = await RejectedAsync(tar, "model.tar");

        Assert.StartsWith("Failed to unpack archive file. The file format is not valid.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_PaxHeaderLargerThanPaxAllows_GivesKServeMessage()
    {
        var tar = new TarBuilder().Pax("comment", "x").File("model.onnx", "weights").ToArray();
        Encoding.ASCII.GetBytes("77777777777").CopyTo(tar, 124); // the pax header claims 8 GiB of attributes
        FixChecksum(tar);

        var error = await RejectedAsync(tar, "model.tar");

        Assert.StartsWith("Failed to unpack archive file. The file format is not valid.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_NameLongerThanTheFileSystemAllows_GivesKServeMessage()
    {
        var error = await RejectedAsync(new TarBuilder().Pax("path", new string('n', 300)).File("model.onnx", "w").ToArray(), "model.tar");

        Assert.StartsWith("Failed to unpack archive file. The file format is not valid.", error.Message, StringComparison.Ordinal);
    }

    // Entries that an earlier entry is in the way of: the file system answered with IOException or an access error.
    [Fact]
    public async Task Tar_EntryUnderAnEarlierFile_IsRejected()
    {
        var error = await RejectedAsync(new TarBuilder().File("weights", "w").File("weights/model.onnx", "w").ToArray(), "model.tar");

        Assert.Contains("entry 'weights/model.onnx' lies under 'weights', which an earlier entry made a file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_FileWhereAnEarlierEntryMadeAFolder_IsRejected()
    {
        var error = await RejectedAsync(new TarBuilder().Directory("model/").File("model", "w").ToArray(), "model.tar");

        Assert.Contains("entry 'model' is a file where an earlier entry made a directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_FolderWhereAnEarlierEntryMadeAFile_IsRejected()
    {
        var error = await RejectedAsync(Zip(("model", "w"), ("model/", null)), "model.zip");

        Assert.Contains("entry 'model/' is a directory where an earlier entry made a file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_SetuidBitsAreDropped()
    {
        var tar = new TarBuilder().File("run.sh", "#!/bin/sh").ToArray();
        Encoding.ASCII.GetBytes("0004755").CopyTo(tar, 100);
        FixChecksum(tar);
        await ExtractAsync(tar, "model.tar");

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(Path.Combine(Destination, "run.sh"));
        Assert.False(mode.HasFlag(UnixFileMode.SetUser));
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute));
    }

    private static void FixChecksum(byte[] tar)
    {
        for (var i = 148; i < 156; i++)
        {
            tar[i] = (byte)' ';
        }

        var sum = tar.Take(512).Sum(b => (int)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, 148);
    }

    internal static byte[] Zip(params (string Name, string? Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                if (content is not null)
                {
                    using var writer = new StreamWriter(entry.Open());
                    writer.Write(content);
                }
            }
        }

        return buffer.ToArray();
    }
}

public sealed class ArchiveBombFixtureTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Bomb_IsAValidGzipStreamOfZerosAfterTheTarHeaders()
    {
        var path = _temp.Path_("bomb.tar.gz");
        ArchiveBomb.WriteTarGz(path);
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var headers = new byte[1536];
        gzip.ReadExactly(headers);
        Assert.Contains("size=10737418240", Encoding.ASCII.GetString(headers), StringComparison.Ordinal);

        // The data really inflates: 64 MiB into it, still zeros.
        var chunk = new byte[1024 * 1024];
        for (var i = 0; i < 64; i++)
        {
            gzip.ReadExactly(chunk);
            Assert.True(chunk.All(b => b == 0));
        }
    }
}
