package io.gantry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.GantryServer;
import io.gantry.server.Keytool;
import io.gantry.server.TestRegistry;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.ApiToken;
import io.gantry.v1.Caller;
import io.gantry.v1.CreateApiTokenRequest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.GetCallerRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mTLS on a real TLS port: a client certificate issued by the configured client CA names the caller: a user by its
 * e-mail name (the default GANTRY_TLS_CLIENT_PRINCIPAL), else {@code cert:} its first subject alternative name or its
 * common name; a certificate from another CA is no credential; a caller without a certificate may still present a
 * bearer token. Certificates are made here with the JDK's keytool.
 */
class MutualTlsTest {

  @TempDir
  static Path dir;

  private static GantryServer server;
  private static Path serverCert;

  @BeforeAll
  static void start() throws Exception {
    Keytool.run("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=gantry",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", store("server"));
    serverCert = pem(dir.resolve("server.crt"), "server", "server");
    Path serverKey = key("server", "server");
    Keytool.run("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test-ca",
        "-ext", "bc:c", "-validity", "2", "-keystore", store("ca"));
    Path ca = pem(dir.resolve("ca.crt"), "ca", "ca");
    issue("deployer", "CN=deploy-bot,O=Example", "SAN=dns:deployer.prod.example.com");
    issue("batch", "CN=batch-job,O=Example", null);
    issue("alice", "CN=Alice,O=Example", "SAN=email:alice@example.com,dns:alice.example.com");
    issue("ops", "CN=ops,O=Example", "SAN=dns:ops");
    issue("impostor", "CN=bootstrap-admin,O=Example", "SAN=dns:bootstrap-admin");
    issue("mailer", "CN=mailer,O=Example", "SAN=email:bootstrap-admin");
    Keytool.run("-genkeypair", "-alias", "rogue", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=deploy-bot",
        "-validity", "2", "-keystore", store("rogue"));
    pem(dir.resolve("rogue.crt"), "rogue", "rogue");
    key("rogue", "rogue");

    server = TestRegistry.start(dir.resolve("data"), Map.of("GANTRY_TLS_CERT", serverCert.toString(),
        "GANTRY_TLS_KEY", serverKey.toString(), "GANTRY_TLS_CLIENT_CA", ca.toString(),
        "GANTRY_ADMINS", "cert:deployer.prod.example.com,cert:batch-job,alice@example.com,user:ops",
        "GANTRY_GRPC_HOST", "0.0.0.0", "GANTRY_API_TOKENS", "true",
        "GANTRY_BOOTSTRAP_TOKEN_FILE", dir.resolve("bootstrap.token").toString()));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String store(String name) {
    return dir.resolve(name + ".p12").toString();
  }

  /** A key pair for {@code name} and a certificate for it signed by the CA. */
  private static void issue(String name, String subject, String san) throws Exception {
    Keytool.run("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
        "-validity", "2", "-keystore", store(name));
    Keytool.run("-certreq", "-alias", name, "-keystore", store(name), "-file", dir.resolve(name + ".csr").toString());
    List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", store("ca"),
        "-infile", dir.resolve(name + ".csr").toString(), "-outfile", dir.resolve(name + ".crt").toString(),
        "-validity", "2"));
    if (san != null) {
      sign.addAll(List.of("-ext", san));
    }
    Keytool.run(sign.toArray(String[]::new));
    key(name, name);
  }



  private static Path pem(Path file, String name, String alias) throws Exception {
    return Keytool.certificatePem(Path.of(store(name)), alias, file);
  }

  private static Path key(String name, String alias) throws Exception {
    return Keytool.privateKeyPem(Path.of(store(name)), alias, dir.resolve(name + ".key"));
  }


  private static ManagedChannel channel(String client) throws Exception {
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder().trustManager(serverCert.toFile());
    if (client != null) {
      credentials.keyManager(dir.resolve(client + ".crt").toFile(), dir.resolve(client + ".key").toFile());
    }
    ChannelCredentials built = credentials.build();
    return Grpc.newChannelBuilderForAddress("127.0.0.1", server.grpcPort(), built).build();
  }

  private static Caller caller(ManagedChannel channel) {
    return AccessControlGrpc.newBlockingStub(channel).getCaller(GetCallerRequest.getDefaultInstance());
  }

  @Test
  void aCertificateFromTheClientCa_namesTheCaller_byItsAlternativeNameOrElseItsCommonName() throws Exception {
    ManagedChannel deployer = channel("deployer");
    ManagedChannel batch = channel("batch");
    try {
      Caller caller = caller(deployer);
      assertThat(caller.getPrincipal()).isEqualTo("cert:deployer.prod.example.com");
      assertThat(caller.getAuthenticatedBy()).isEqualTo("mtls");
      assertThat(caller(batch).getPrincipal()).isEqualTo("cert:batch-job");
      assertThat(ModelRegistryGrpc.newBlockingStub(deployer).createModel(CreateModelRequest.newBuilder()
          .setModelId(TestRegistry.uniqueModel("mtls")).build()).getCreatedBy())
          .isEqualTo("cert:deployer.prod.example.com");
    } finally {
      deployer.shutdownNow();
      batch.shutdownNow();
    }
  }

  @Test
  void aCertificateNamesAUser_onlyByItsEmailName_soAnyOtherNameCannotPassForOne() throws Exception {
    ManagedChannel alice = channel("alice");
    ManagedChannel ops = channel("ops");
    try {
      Caller caller = caller(alice);
      assertThat(caller.getPrincipal()).as("the e-mail name, not the DNS name").isEqualTo("alice@example.com");
      assertThat(caller.getRoleBindingsList()).as("GANTRY_ADMINS names her as a user").hasSize(1);

      // user:ops is an admin; a certificate whose DNS name is ops is cert:ops, no user
      assertThat(caller(ops).getPrincipal()).isEqualTo("cert:ops");
      assertThat(caller(ops).getRoleBindingsList()).isEmpty();
      assertThat(adminCall(ops)).isEqualTo(Status.Code.PERMISSION_DENIED);
    } finally {
      alice.shutdownNow();
      ops.shutdownNow();
    }
  }

  @Test
  void theBootstrapAdmin_cannotBeReached_withACertificateNamedLikeIt() throws Exception {
    ManagedChannel impostor = channel("impostor");
    ManagedChannel mailer = channel("mailer");
    ManagedChannel withToken = channel(null);
    try {
      assertThat(adminCall(impostor)).as("DNS name bootstrap-admin").isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(caller(impostor).getPrincipal()).isEqualTo("cert:bootstrap-admin");
      // even a certificate that names the user bootstrap-admin is not the token the server made
      assertThat(adminCall(mailer)).as("e-mail name bootstrap-admin").isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(caller(mailer).getPrincipal()).isEqualTo("bootstrap-admin");

      Metadata bearer = new Metadata();
      bearer.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + Files.readString(dir.resolve("bootstrap.token")).trim());
      assertThat(adminCall(withToken, bearer)).as("the bootstrap token itself").isEqualTo(Status.Code.OK);
    } finally {
      impostor.shutdownNow();
      mailer.shutdownNow();
      withToken.shutdownNow();
    }
  }

  @Test
  void theUserNameField_isOneOfFive_andNeedsAClientCa() {
    Map<String, String> tls = Map.of("GANTRY_TLS_CERT", serverCert.toString(), "GANTRY_TLS_KEY",
        dir.resolve("server.key").toString(), "GANTRY_TLS_CLIENT_CA", dir.resolve("ca.crt").toString());
    assertThat(ServerConfig.fromEnvironment(tls).identity().tls().orElseThrow().clientPrincipal())
        .isEqualTo(ServerConfig.CertificateUserName.EMAIL);
    Map<String, String> dns = new HashMap<>(tls);
    dns.put("GANTRY_TLS_CLIENT_PRINCIPAL", "dns");
    assertThat(ServerConfig.fromEnvironment(dns).identity().tls().orElseThrow().clientPrincipal())
        .isEqualTo(ServerConfig.CertificateUserName.DNS);
    dns.put("GANTRY_TLS_CLIENT_PRINCIPAL", "san");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(dns), ConfigException.class))
        .hasMessage("GANTRY_TLS_CLIENT_PRINCIPAL must be email, uri, dns, cn or none, got 'san'");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_TLS_CLIENT_PRINCIPAL", "cn")),
        ConfigException.class)).hasMessage("GANTRY_TLS_CLIENT_PRINCIPAL is set but GANTRY_TLS_CLIENT_CA is not");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_ADMINS", "role:approver")),
        ConfigException.class)).hasMessageStartingWith("GANTRY_ADMINS must list user:NAME, group:NAME, cert:NAME");
  }

  /** The outcome of an admin's call (making an API token) over {@code channel}. */
  private static Status.Code adminCall(ManagedChannel channel) {
    return adminCall(channel, new Metadata());
  }

  private static Status.Code adminCall(ManagedChannel channel, Metadata headers) {
    try {
      AccessControlGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(ApiToken.newBuilder().setPrincipal("x"))
              .build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void aCertificateFromAnotherCa_orNone_isNotACaller() throws Exception {
    ManagedChannel rogue = channel("rogue");
    ManagedChannel anonymous = channel(null);
    try {
      // client certificates are optional (a caller may send a token instead): one the CA did not issue is no credential
      StatusRuntimeException untrusted = catchThrowableOfType(() -> caller(rogue), StatusRuntimeException.class);
      assertThat(untrusted.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(untrusted.getStatus().getDescription()).contains("no credential");
      StatusRuntimeException none = catchThrowableOfType(() -> caller(anonymous), StatusRuntimeException.class);
      assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(none.getStatus().getDescription()).contains("no credential", "or a client certificate");

      ManagedChannel deployer = channel("deployer");
      String secret = AccessControlGrpc.newBlockingStub(deployer).createApiToken(CreateApiTokenRequest.newBuilder()
          .setApiToken(ApiToken.newBuilder().setPrincipal("ci")).build()).getSecret();
      deployer.shutdownNow();
      Metadata bearer = new Metadata();
      bearer.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + secret);
      assertThat(AccessControlGrpc.newBlockingStub(anonymous)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer))
          .getCaller(GetCallerRequest.getDefaultInstance()).getPrincipal())
          .as("a token instead of a certificate").isEqualTo("ci");
    } finally {
      rogue.shutdownNow();
      anonymous.shutdownNow();
    }
  }
}
