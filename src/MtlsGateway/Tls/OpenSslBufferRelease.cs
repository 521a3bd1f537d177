using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MtlsGateway.Tls;

/// <summary>
/// Sets OpenSSL's <c>SSL_MODE_RELEASE_BUFFERS</c> on a connection's TLS session (and on its shared context, so later
/// sessions start with it): OpenSSL then frees its ~16 KiB read and ~16 KiB write record buffers whenever they are
/// empty instead of keeping both for the life of the connection. nginx and HAProxy do the same; .NET does not set
/// it and offers no option (its native shim creates the contexts). The session handle is SslStream's private
/// <c>_securityContext</c>, found by reflection: if it is not there or not the expected type (another .NET or
/// another OS), or libssl cannot be called, nothing is done and <see cref="IsAvailable"/> says so.
/// </summary>
internal sealed partial class OpenSslBufferRelease
{
    private const string LibSsl = "libssl.so.3";   // the library .NET's own OpenSSL shim loads on Linux
    private const int SslCtrlMode = 33;            // SSL_CTRL_MODE: ORs larg into the mode
    private const long SslModeReleaseBuffers = 0x10;
    private const string SessionType = "Microsoft.Win32.SafeHandles.SafeSslHandle"; // holds the SSL*

    private readonly FieldInfo? _securityContext;
    private readonly bool _available;

    public OpenSslBufferRelease()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        _securityContext = typeof(SslStream).GetField("_securityContext", BindingFlags.Instance | BindingFlags.NonPublic);
        _available = _securityContext is not null && typeof(SafeHandle).IsAssignableFrom(_securityContext.FieldType) && LibSslExports();
    }

    private static bool LibSslExports()
    {
        if (!NativeLibrary.TryLoad(LibSsl, out var library))
        {
            return false;
        }

        return NativeLibrary.TryGetExport(library, "SSL_ctrl", out _)
            && NativeLibrary.TryGetExport(library, "SSL_CTX_ctrl", out _)
            && NativeLibrary.TryGetExport(library, "SSL_get_SSL_CTX", out _);
    }

    public bool IsAvailable => _available;

    /// <summary>Call after the handshake and before any application data flows on <paramref name="stream"/>.</summary>
    public void Apply(SslStream stream) => OnSession(stream, static ssl =>
    {
        SslCtxCtrl(SslGetSslCtx(ssl), SslCtrlMode, SslModeReleaseBuffers, IntPtr.Zero);
        return SslCtrl(ssl, SslCtrlMode, SslModeReleaseBuffers, IntPtr.Zero);
    });

    /// <summary>The session's OpenSSL mode bits (tests: whether <see cref="Apply"/> took effect); null when unavailable.</summary>
    internal long? ModeOf(SslStream stream) => OnSession(stream, static ssl => SslCtrl(ssl, SslCtrlMode, 0, IntPtr.Zero));

    /// <summary>Runs <paramref name="call"/> on the stream's SSL*, held by a reference so it cannot be freed meanwhile.</summary>
    private long? OnSession(SslStream stream, Func<IntPtr, long> call)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!_available || _securityContext!.GetValue(stream) is not SafeHandle { IsInvalid: false, IsClosed: false } session
            || session.GetType().FullName != SessionType)
        {
            return null;
        }

        var added = false;
        try
        {
            session.DangerousAddRef(ref added);
            return call(session.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                session.DangerousRelease();
            }
        }
    }

    [LibraryImport(LibSsl, EntryPoint = "SSL_ctrl")]
    private static partial long SslCtrl(IntPtr ssl, int cmd, long larg, IntPtr parg);

    [LibraryImport(LibSsl, EntryPoint = "SSL_CTX_ctrl")]
    private static partial long SslCtxCtrl(IntPtr ctx, int cmd, long larg, IntPtr parg);

    [LibraryImport(LibSsl, EntryPoint = "SSL_get_SSL_CTX")]
    private static partial IntPtr SslGetSslCtx(IntPtr ssl);
}
