# MtlsGateway container image.
#   docker build -t mtls-gateway .
#   docker run -v "$PWD/config:/config:ro" -v "$PWD/certs-dev:/certs-dev:ro" -p 8443:8443 mtls-gateway
# The image holds no configuration and no keys: mount the config folder at /config and the
# certificates where it names them (relative to its folder). docker-compose.yml does this for the
# development PKI.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the files that decide packages, so code edits reuse the cached restore layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/MtlsGateway/MtlsGateway.csproj src/MtlsGateway/
RUN dotnet restore src/MtlsGateway/MtlsGateway.csproj

COPY src/ src/
RUN dotnet publish src/MtlsGateway/MtlsGateway.csproj --configuration Release --no-restore --output /app \
 && mkdir -p /app/logs

# Chiseled: the ASP.NET Core runtime and nothing else (no shell, no package manager, no curl), so the
# health check is the gateway's own `health` command.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app

# The base image listens on ASPNETCORE_HTTP_PORTS=8080 by default; the gateway's listeners come from
# its own configuration only, so clear it rather than have Kestrel warn about overridden addresses.
ENV ASPNETCORE_HTTP_PORTS=

# With one CPU (a one-core VM, `docker run --cpus 1`, a pod with a CPU limit of 1) .NET waits ten times longer before it
# compiles hot code at full optimisation, and every new method restarts the wait: under load the gateway ran at a
# quarter of its speed for 35-40 s after a start. 1 makes that 10-20 s (docs/performance.md). Read by the runtime
# before the gateway's code runs, so it can only be set here.
ENV DOTNET_TC_DelaySingleProcMultiplier=1

# The rolling log file of the shipped config goes under logs/ (relative to the working directory): the
# app user owns that folder and nothing else. With a read-only root filesystem, log to stdout only (the
# Kubernetes ConfigMap does) or mount a volume at /app/logs.
COPY --from=build --chown=$APP_UID:$APP_UID /app/logs ./logs
COPY --from=build /app ./

# Non-root: the image's app user (uid 1654, $APP_UID). Ports above 1024 need no capabilities.
USER $APP_UID

HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 \
  CMD ["dotnet", "mtls-gateway.dll", "health", "--url", "http://127.0.0.1:9901/readyz"]

# 8443 TLS listener, 8080 plaintext listener, 9901 admin (loopback unless configured otherwise).
EXPOSE 8443 8080 9901

ENTRYPOINT ["dotnet", "mtls-gateway.dll"]
CMD ["run", "--config", "/config/gateway.json"]
