using System.Text.Json;
using MtlsGateway.Identity;
using MtlsGateway.Runtime;

namespace MtlsGateway.Admin;

/// <summary>The <c>spiffeBundles</c> of <c>/config</c>: per trust store with SpiffeBundles, each trust domain's bundle file,
/// its <c>spiffe_sequence</c> and <c>spiffe_refresh_hint</c> and its authorities, so ops see which bundle is in force.</summary>
internal static class SpiffeBundlesJson
{
    public static void Write(Utf8JsonWriter json, GatewaySnapshot snapshot)
    {
        json.WriteStartObject("spiffeBundles");
        foreach (var store in snapshot.TrustStores.Values.Where(s => s.Spiffe is not null).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            json.WriteStartObject(store.Name);
            foreach (var bundle in store.Spiffe!.Bundles)
            {
                json.WriteStartObject(bundle.TrustDomain);
                json.WriteString("file", bundle.Source);
                if (bundle.Sequence is { } sequence)
                {
                    json.WriteNumber("sequence", sequence);
                }
                else
                {
                    json.WriteNull("sequence");
                }

                if (bundle.RefreshHint is { } hint)
                {
                    json.WriteNumber("refreshHintSeconds", (long)hint.TotalSeconds);
                }
                else
                {
                    json.WriteNull("refreshHintSeconds");
                }

                json.WriteNumber("jwtSvidKeysIgnored", bundle.JwtSvidKeys);
                json.WriteStartArray("authorities");
                foreach (var authority in bundle.Authorities)
                {
                    json.WriteStartObject();
                    json.WriteString("subject", CertificateFacts.Name(authority));
                    json.WriteString("sha256", Fingerprints.Sha256(authority));
                    json.WriteString("notAfter", CertificateFacts.NotAfter(authority));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
