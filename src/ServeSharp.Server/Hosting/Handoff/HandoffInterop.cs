using System.Runtime.InteropServices;

namespace ServeSharp.Server.Hosting.Handoff;

/// <summary>
/// libc calls for passing a connection's file descriptor between processes over a Unix domain socket
/// (<c>sendmsg</c>/<c>recvmsg</c> with <c>SCM_RIGHTS</c>), and for peeking at a socket without consuming bytes.
/// Linux, 64-bit only (the <c>msghdr</c>/<c>cmsghdr</c> layouts below are those of x86-64 and arm64 glibc).
/// </summary>
public static unsafe partial class HandoffInterop
{
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgPeek = 0x2;
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const short PollIn = 0x1;
    private const short PollOut = 0x4;

    /// <summary>Whether descriptor passing works on this platform.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    /// <summary>
    /// Sends <paramref name="data"/> as one message, with <paramref name="fd"/> attached when it is not -1.
    /// Waits at most <paramref name="timeoutMs"/> for room in the socket buffer. Returns false (errno in
    /// <paramref name="error"/>) when the message was not sent, in which case the receiver got nothing.
    /// </summary>
    public static bool Send(SafeHandle socket, ReadOnlySpan<byte> data, int fd, int timeoutMs, out int error)
    {
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            var handle = (int)socket.DangerousGetHandle();
            byte* control = stackalloc byte[24];
            fixed (byte* payload = data)
            {
                var iov = new IoVec { Base = payload, Length = (nuint)data.Length };
                var header = new MsgHdr { Iov = &iov, IovLength = 1 };
                if (fd >= 0)
                {
                    new Span<byte>(control, 24).Clear();
                    var cmsg = (CmsgHdr*)control;
                    cmsg->Length = 20; // CMSG_LEN(sizeof(int))
                    cmsg->Level = SolSocket;
                    cmsg->Type = ScmRights;
                    *(int*)(control + 16) = fd;
                    header.Control = control;
                    header.ControlLength = 24; // CMSG_SPACE(sizeof(int))
                }

                while (true)
                {
                    var sent = SendMsg(handle, &header, MsgNoSignal | MsgDontWait);
                    if (sent >= 0)
                    {
                        error = 0;
                        return true;
                    }

                    error = Marshal.GetLastPInvokeError();
                    if (error == EIntr)
                    {
                        continue;
                    }

                    if (error != EAgain || !Wait(handle, PollOut, timeoutMs))
                    {
                        return false;
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Receives one message into <paramref name="buffer"/> (blocking), with the descriptor attached to it, if any, in
    /// <paramref name="fd"/> (-1 when none; close-on-exec set). Returns the byte count, 0 at end of stream, or -1 on
    /// error (errno in <paramref name="error"/>).
    /// </summary>
    public static int Receive(SafeHandle socket, Span<byte> buffer, out int fd, out int error)
    {
        fd = -1;
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            var handle = (int)socket.DangerousGetHandle();
            byte* control = stackalloc byte[64];
            fixed (byte* payload = buffer)
            {
                while (true)
                {
                    new Span<byte>(control, 64).Clear();
                    var iov = new IoVec { Base = payload, Length = (nuint)buffer.Length };
                    var header = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 64 };
                    var received = RecvMsg(handle, &header, MsgCmsgCloexec);
                    if (received < 0)
                    {
                        error = Marshal.GetLastPInvokeError();
                        if (error == EIntr || (error == EAgain && Wait(handle, PollIn, -1)))
                        {
                            continue;
                        }

                        return -1;
                    }

                    error = 0;
                    // Walk the control messages: one SCM_RIGHTS with one int is all the sender ever attaches, but a
                    // misbehaving peer's extra descriptors must still be closed, not leaked.
                    var offset = 0;
                    while (offset + 16 <= (int)header.ControlLength)
                    {
                        var cmsg = (CmsgHdr*)(control + offset);
                        if (cmsg->Length < 16)
                        {
                            break;
                        }

                        if (cmsg->Level == SolSocket && cmsg->Type == ScmRights)
                        {
                            var count = ((int)cmsg->Length - 16) / 4;
                            for (var i = 0; i < count; i++)
                            {
                                var received_fd = *(int*)(control + offset + 16 + (4 * i));
                                if (fd < 0)
                                {
                                    fd = received_fd;
                                }
                                else
                                {
                                    _ = Close(received_fd);
                                }
                            }
                        }

                        offset += ((int)cmsg->Length + 7) & ~7;
                    }

                    return (int)received;
                }
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Copies up to <paramref name="buffer"/>.Length bytes that are waiting on the socket without consuming them and
    /// without blocking. Returns the count (0 at end of stream), or -1 when nothing is waiting or on error.
    /// </summary>
    public static int Peek(SafeHandle socket, Span<byte> buffer)
    {
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    var n = Recv((int)socket.DangerousGetHandle(), p, (nuint)buffer.Length, MsgPeek | MsgDontWait);
                    if (n < 0 && Marshal.GetLastPInvokeError() == EIntr)
                    {
                        continue;
                    }

                    return (int)n;
                }
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>Closes a descriptor this process received but will not use.</summary>
    public static void CloseDescriptor(int fd) => _ = Close(fd);

    private static bool Wait(int handle, short events, int timeoutMs)
    {
        var poll = new PollFd { Fd = handle, Events = events };
        while (true)
        {
            var n = PollNative(&poll, 1, timeoutMs);
            if (n > 0)
            {
                return true;
            }

            if (n == 0 || Marshal.GetLastPInvokeError() != EIntr)
            {
                return false;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(int socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollNative(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
