package io.gantry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.rpc.ErrorInfo;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.RegisteredModel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A server that verifies callers: bearer JWTs checked against a JWKS file, with keys generated here. */
class JwtAuthenticationTest {

  private static final String ISSUER = "https://login.example.com/";
  private static final String AUDIENCE = "gantry";

  private static Path dataDir;
  private static Path jwks;
  private static RSAKey key;
  private static GantryServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    dataDir = TestRegistry.tempDir("gantry-jwt");
    jwks = dataDir.resolveSibling(dataDir.getFileName() + "-jwks.json");
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
    server = TestRegistry.start(dataDir, Map.of("GANTRY_JWT_KEYS", jwks.toString(), "GANTRY_JWT_ISSUER", ISSUER,
        "GANTRY_JWT_AUDIENCE", AUDIENCE, "GANTRY_GRPC_HOST", "0.0.0.0",
        "GANTRY_ADMINS", "alice@example.com,bob,carol,dana"));
    channel = TestRegistry.connect(server);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
    TestRegistry.deleteRecursively(dataDir);
    Files.deleteIfExists(jwks);
  }

  private static JWTClaimsSet.Builder claims(String subject) {
    return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject)
        .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(10))));
  }

  private static String signed(RSAKey with, JWTClaimsSet claims) throws Exception {
    return signed(with, JOSEObjectType.JWT, claims);
  }

  private static String signed(RSAKey with, JOSEObjectType type, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID())
        .type(type).build(), claims);
    jwt.sign(new RSASSASigner(with));
    return jwt.serialize();
  }

  /** A registry stub sending {@code authorization} as is (null: none) and a claimed x-gantry-user. */
  private static ModelRegistryGrpc.ModelRegistryBlockingStub registry(String authorization) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-gantry-user", Metadata.ASCII_STRING_MARSHALLER), "admin");
    if (authorization != null) {
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    }
    return ModelRegistryGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static RegisteredModel create(String authorization) {
    return registry(authorization).createModel(
        CreateModelRequest.newBuilder().setModelId(TestRegistry.uniqueModel("jwt")).build());
  }

  /** The refusal of a call carrying {@code authorization}: UNAUTHENTICATED, CREDENTIAL_REJECTED; its message. */
  private static String refusal(String authorization) {
    StatusRuntimeException e = catchThrowableOfType(() -> create(authorization), StatusRuntimeException.class);
    assertThat(e).as("the call was refused").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    ErrorInfo info = StatusProto.fromThrowable(e).getDetailsList().stream()
        .filter(any -> any.is(ErrorInfo.class)).findFirst().map(any -> {
          try {
            return any.unpack(ErrorInfo.class);
          } catch (Exception unpackable) {
            throw new AssertionError(unpackable);
          }
        }).orElseThrow();
    assertThat(info.getReason()).isEqualTo("CREDENTIAL_REJECTED");
    return e.getStatus().getDescription();
  }

  @Test
  void aValidToken_namesTheCaller_andTheClaimedHeaderIsIgnored() throws Exception {
    assertThat(create("Bearer " + signed(key, claims("alice@example.com").build())).getCreatedBy())
        .isEqualTo("alice@example.com");
    assertThat(create("bearer " + signed(key, claims("bob").build())).getCreatedBy())
        .as("the scheme is case-insensitive").isEqualTo("bob");
  }

  @Test
  void noCredential_isRefused_evenWithAClaimedName() {
    assertThat(refusal(null)).contains("no credential", "authorization: Bearer");
    assertThat(refusal("Basic YWRtaW46YWRtaW4=")).contains("must be 'Bearer <token>'");
    assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatusValue())
        .as("the health check needs no credential").isEqualTo(1);
  }

  @Test
  void badTokens_areRefused_sayingWhy_inOurWords() throws Exception {
    Instant expired = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS);
    List<String> refusals = new ArrayList<>();
    refusals.add(refused("Bearer not-a-jwt", "malformed JWT"));
    refusals.add(refused("Bearer " + signed(key, claims("alice").expirationTime(Date.from(expired)).build()),
        "token expired at " + expired));
    refusals.add(refused("Bearer " + signed(key, claims("alice").issuer("https://evil.example.com/").build()),
        "issuer 'https://evil.example.com/' is not the configured issuer " + ISSUER));
    refusals.add(refused("Bearer " + signed(key, claims("alice").audience("other").build()),
        "audience does not include gantry"));
    refusals.add(refused("Bearer " + signed(key, claims("alice").expirationTime(null).build()),
        "the token has no expiry (exp claim)"));

    RSAKey stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
    refusals.add(refused("Bearer " + signed(stranger, claims("alice").build()), "signature does not verify"));
    RSAKey unknown = new RSAKeyGenerator(2048).keyID("k9").generate();
    refusals.add(refused("Bearer " + signed(unknown, claims("alice").build()), "unknown key id 'k9'"));

    refusals.add(refused("Bearer " + new PlainJWT(claims("alice").build()).serialize(),
        "algorithm none is not accepted"));
    SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(),
        claims("alice").build());
    hmac.sign(new MACSigner(key.toPublicJWK().toRSAPublicKey().getEncoded()));
    refusals.add(refused("Bearer " + hmac.serialize(), "algorithm HS256 is not accepted (accepted: ES256, RS256)"));
    refusals.add(refused("Bearer " + signed(key, JOSEObjectType.JOSE, claims("alice").build()),
        "token type 'JOSE' is not accepted"));
    refusals.add(refused("Bearer " + signed(key, claims("group:risk").build()),
        "the token's sub claim must be a name of 1 to 256 printable characters without spaces, not beginning with"));

    refusals.add(refused("Bearer " + tamperedPayload(signed(key, claims("alice").build()),
        payload -> payload.replace("\"alice\"", "\"admin\"")), "signature does not verify"));
    assertThat(refusals).as("nothing quoted from the JWT library").noneMatch(message -> message.contains("rejected")
        || message.contains("Unsecured") || message.contains("extend class") || message.contains("JOSE header")
        || message.contains("matching key"));
  }

  /** The refusal of a call carrying {@code authorization}, which must begin with {@code expected}. */
  private static String refused(String authorization, String expected) {
    String message = refusal(authorization);
    assertThat(message).startsWith(expected);
    return message;
  }

  @Test
  void accessTokensOfRfc9068_andUntypedTokens_areAccepted() throws Exception {
    for (JOSEObjectType type : List.of(new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"))) {
      assertThat(create("Bearer " + signed(key, type, claims("bob").build())).getCreatedBy())
          .as(type.getType()).isEqualTo("bob");
    }
    assertThat(create("Bearer " + signed(key, null, claims("bob").build())).getCreatedBy()).isEqualTo("bob");
  }

  @Test
  void twoAuthorizationHeaders_areRefused_andAudited_whicheverComesFirst() throws Exception {
    String good = "Bearer " + signed(key, claims("alice@example.com").build());
    for (List<String> values : List.of(List.of(good, "Bearer not-a-jwt"), List.of("Bearer not-a-jwt", good),
        List.of(good, good))) {
      Metadata headers = new Metadata();
      values.forEach(value -> headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value));
      StatusRuntimeException e = catchThrowableOfType(() -> ModelRegistryGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).createModel(CreateModelRequest
              .newBuilder().setModelId(TestRegistry.uniqueModel("two")).build()), StatusRuntimeException.class);
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(e.getStatus().getDescription()).isEqualTo("more than one authorization header: send one");
    }
    var audit = AuditGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
        bearer(good)));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(audit.listAuditEvents(
        ListAuditEventsRequest.newBuilder().setActor("unauthenticated")
            .setAction(AuditAction.AUDIT_ACTION_CREDENTIAL_REJECTED).setPageSize(1000).build()).getEventsList())
        .filteredOn(event -> event.getPayload().getFieldsOrThrow("reasons").getListValue().getValuesList().stream()
            .anyMatch(reason -> reason.getStringValue().equals("more than one authorization header: send one")))
        .as("three different pairs of headers: three credentials, each refused first here").hasSize(3));
  }

  @Test
  void aTokenVerifiedOnce_stopsWorking_whenItsKeyIsRemoved() throws Exception {
    RSAKey leaving = new RSAKeyGenerator(2048).keyID("k3").generate();
    Files.writeString(jwks, new JWKSet(List.of(key.toPublicJWK(), leaving.toPublicJWK())).toString());
    Files.setLastModifiedTime(jwks, FileTime.from(Instant.now().plusSeconds(10)));
    String token = "Bearer " + signed(leaving, claims("carol").build());
    assertThat(create(token).getCreatedBy()).isEqualTo("carol");
    assertThat(create(token).getCreatedBy()).as("remembered").isEqualTo("carol");

    Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
    Files.setLastModifiedTime(jwks, FileTime.from(Instant.now().plusSeconds(20)));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(refusal(token)).isEqualTo("unknown key id 'k3'"));
  }

  private static Metadata bearer(String authorization) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    return headers;
  }

  @Test
  void replacingTheJwksFile_rotatesTheKeys() throws Exception {
    RSAKey next = new RSAKeyGenerator(2048).keyID("k2").generate();
    String before = "Bearer " + signed(next, claims("carol").build());
    assertThat(refusal(before)).isEqualTo("unknown key id 'k2'");

    Files.writeString(jwks, new JWKSet(List.of(key.toPublicJWK(), next.toPublicJWK())).toString());
    Files.setLastModifiedTime(jwks, FileTime.from(Instant.now().plusSeconds(5)));
    assertThat(create("Bearer " + signed(next, claims("carol").build())).getCreatedBy()).isEqualTo("carol");
    assertThat(create("Bearer " + signed(key, claims("dana").build())).getCreatedBy())
        .as("the old key still listed").isEqualTo("dana");
  }

  @Test
  void beyondLoopback_theServerNeedsAnAuthenticator_andOnlyAsymmetricAlgorithms() {
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_GRPC_HOST", "0.0.0.0")),
        ConfigException.class)).hasMessageContaining("beyond loopback").hasMessageContaining("GANTRY_JWT_KEYS");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_HTTP_HOST", "0.0.0.0")),
        ConfigException.class)).hasMessageContaining("GANTRY_HTTP_HOST is 0.0.0.0, beyond loopback");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_JWT_KEYS", jwks.toString(),
        "GANTRY_JWT_ISSUER", ISSUER, "GANTRY_JWT_AUDIENCE", AUDIENCE, "GANTRY_JWT_ALGORITHMS", "RS256,HS256")),
        ConfigException.class)).hasMessageContaining("GANTRY_JWT_ALGORITHMS may name only").hasMessageContaining("HS256");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_JWT_KEYS", jwks.toString(),
        "GANTRY_JWT_ISSUER", ISSUER)), ConfigException.class))
        .hasMessage("GANTRY_JWT_AUDIENCE must be set with GANTRY_JWT_KEYS");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_JWT_KEYS", "/nonexistent.json",
        "GANTRY_JWT_ISSUER", ISSUER, "GANTRY_JWT_AUDIENCE", AUDIENCE)), ConfigException.class))
        .hasMessageContaining("readable JWKS file");
    assertThat(catchThrowableOfType(() -> ServerConfig.fromEnvironment(Map.of("GANTRY_JWT_ISSUER", ISSUER)),
        ConfigException.class)).hasMessage("GANTRY_JWT_ISSUER is set but GANTRY_JWT_KEYS is not");
  }

  private static String tamperedPayload(String jwt, UnaryOperator<String> change) {
    String[] parts = jwt.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    parts[1] = Base64.getUrlEncoder().withoutPadding().encodeToString(
        change.apply(payload).getBytes(StandardCharsets.UTF_8));
    return String.join(".", parts);
  }
}
