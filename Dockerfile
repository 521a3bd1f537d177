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
RUN dotnet publish src/MtlsGateway/MtlsGateway.csproj --configuration Release --no-restore --output /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app

# The base image listens on ASPNETCORE_HTTP_PORTS=8080 by default; the gateway's listeners come from
# its own configuration only, so clear it rather than have Kestrel warn about overridden addresses.
ENV ASPNETCORE_HTTP_PORTS=

COPY --from=build /app ./

# The rolling log file goes under logs/ (relative to the working directory); the app user must own it.
RUN mkdir -p /app/logs && chown app:app /app/logs

# Non-root: the aspnet image's 'app' user (uid 1654). Ports above 1024 need no capabilities.
USER app

# 8443 TLS listener, 8080 plaintext listener, 9901 admin (loopback unless configured otherwise).
EXPOSE 8443 8080 9901

ENTRYPOINT ["dotnet", "mtls-gateway.dll"]
CMD ["run", "--config", "/config/gateway.json"]
