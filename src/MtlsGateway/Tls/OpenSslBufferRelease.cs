using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MtlsGateway.Tls;

/// <summary>
/// Frees what a connection's TLS session holds only for its handshake, once the handshake is done. Sets OpenSSL's
/// <c>SSL_MODE_RELEASE_BUFFERS</c> on the session (and on its shared context, so later sessions start with it):
/// OpenSSL then frees its ~16 KiB read and ~16 KiB write record buffers whenever they are empty instead of keeping
/// both for the life of the connection, as nginx and HAProxy do. It also frees the two memory BIOs' buffers, which
/// .NET's shim grows to the largest handshake flight and never shrinks (~4 KiB), and the session's copy of the CA
/// names the CertificateRequest listed (~0.5 KiB per CA; renegotiation is off, so it is not sent again). .NET
/// offers no option for any of it. The session handle is SslStream's private <c>_securityContext</c>, found by
/// reflection: if it is not there or not the expected type (another .NET or another OS), or libssl cannot be
/// called, nothing is done and <see cref="IsAvailable"/> says so.
/// </summary>
internal sealed partial class OpenSslBufferRelease
{
    private const string LibSsl = "libssl.so.3";   // the library .NET's own OpenSSL shim loads on Linux
    private const string LibCrypto = "libcrypto.so.3";
    private const int SslCtrlMode = 33;            // SSL_CTRL_MODE: ORs larg into the mode
    private const long SslModeReleaseBuffers = 0x10;
    private const string SessionType = "Microsoft.Win32.SafeHandles.SafeSslHandle"; // holds the SSL*
    private const int BioCtrlPending = 10;         // BIO_CTRL_PENDING: bytes waiting to be read
    private const int BioSetBufMem = 114;          // BIO_C_SET_BUF_MEM: frees the current buffer, takes larg's
    private const int BioGetBufMemPtr = 115;       // BIO_C_GET_BUF_MEM_PTR
    private const long BioClose = 1;               // BIO_CLOSE: the BIO frees the buffer it is given
    private const int BioTypeMem = 1 | 0x0400;     // BIO_TYPE_MEM: the only kind whose buffer is swapped

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

        if (!NativeLibrary.TryLoad(LibCrypto, out var crypto))
        {
            return false;
        }

        string[] ssl = ["SSL_ctrl", "SSL_CTX_ctrl", "SSL_get_SSL_CTX", "SSL_get_rbio", "SSL_get_wbio", "SSL_set_client_CA_list", "SSL_get_client_CA_list"];
        string[] bio = ["BIO_ctrl", "BIO_method_type", "BUF_MEM_new", "BUF_MEM_free", "OPENSSL_sk_num"];
        return ssl.All(name => NativeLibrary.TryGetExport(library, name, out _))
            && bio.All(name => NativeLibrary.TryGetExport(crypto, name, out _));
    }

    public bool IsAvailable => _available;

    /// <summary>Call after the handshake and before any application data flows on <paramref name="stream"/>.</summary>
    public void Apply(SslStream stream) => OnSession(stream, static ssl =>
    {
        SslCtxCtrl(SslGetSslCtx(ssl), SslCtrlMode, SslModeReleaseBuffers, IntPtr.Zero);
        SslSetClientCaList(ssl, IntPtr.Zero); // frees the session's copy; the context's list is not touched
        ReleaseIfEmpty(SslGetRbio(ssl));
        ReleaseIfEmpty(SslGetWbio(ssl));
        return SslCtrl(ssl, SslCtrlMode, SslModeReleaseBuffers, IntPtr.Zero);
    });

    /// <summary>The session's OpenSSL mode bits (tests: whether <see cref="Apply"/> took effect); null when unavailable.</summary>
    internal long? ModeOf(SslStream stream) => OnSession(stream, static ssl => SslCtrl(ssl, SslCtrlMode, 0, IntPtr.Zero));

    /// <summary>Tests: the bytes allocated for the session's read and write BIOs and its number of CA names.</summary>
    internal (long Read, long Write, long CaNames)? HeldBy(SslStream stream)
    {
        long read = 0, write = 0, names = 0;
        return OnSession(stream, ssl =>
        {
            read = CapacityOf(SslGetRbio(ssl));
            write = CapacityOf(SslGetWbio(ssl));
            var list = SslGetClientCaList(ssl);
            names = list == IntPtr.Zero ? 0 : OpenSslSkNum(list);
            return 0;
        }) is null ? null : (read, write, names);
    }

    /// <summary>Gives an empty memory BIO a new, empty buffer: the old one (as large as the largest flight it ever
    /// held) is freed, and the BIO grows again only as far as later records need.</summary>
    private static void ReleaseIfEmpty(IntPtr bio)
    {
        if (bio == IntPtr.Zero || BioMethodType(bio) != BioTypeMem || BioCtrl(bio, BioCtrlPending, 0, IntPtr.Zero) != 0)
        {
            return;
        }

        var fresh = BufMemNew();
        if (fresh != IntPtr.Zero && BioCtrl(bio, BioSetBufMem, BioClose, fresh) != 1)
        {
            BufMemFree(fresh);
        }
    }

    private static unsafe long CapacityOf(IntPtr bio)
    {
        if (bio == IntPtr.Zero || BioMethodType(bio) != BioTypeMem)
        {
            return 0;
        }

        // BUF_MEM is public: { size_t length; char* data; size_t max; unsigned long flags; }
        IntPtr buffer;
        BioCtrl(bio, BioGetBufMemPtr, 0, (IntPtr)(&buffer));
        return buffer == IntPtr.Zero ? 0 : (long)((nuint*)buffer)[2];
    }

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

    [LibraryImport(LibSsl, EntryPoint = "SSL_get_rbio")]
    private static partial IntPtr SslGetRbio(IntPtr ssl);

    [LibraryImport(LibSsl, EntryPoint = "SSL_get_wbio")]
    private static partial IntPtr SslGetWbio(IntPtr ssl);

    [LibraryImport(LibSsl, EntryPoint = "SSL_set_client_CA_list")]
    private static partial void SslSetClientCaList(IntPtr ssl, IntPtr names);

    [LibraryImport(LibSsl, EntryPoint = "SSL_get_client_CA_list")]
    private static partial IntPtr SslGetClientCaList(IntPtr ssl);

    [LibraryImport(LibCrypto, EntryPoint = "BIO_ctrl")]
    private static partial long BioCtrl(IntPtr bio, int cmd, long larg, IntPtr parg);

    [LibraryImport(LibCrypto, EntryPoint = "BIO_method_type")]
    private static partial int BioMethodType(IntPtr bio);

    [LibraryImport(LibCrypto, EntryPoint = "BUF_MEM_new")]
    private static partial IntPtr BufMemNew();

    [LibraryImport(LibCrypto, EntryPoint = "BUF_MEM_free")]
    private static partial void BufMemFree(IntPtr buffer);

    [LibraryImport(LibCrypto, EntryPoint = "OPENSSL_sk_num")]
    private static partial int OpenSslSkNum(IntPtr stack);
}
