package io.gantry.server.access;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.CreateApiTokenRequest;
import io.gantry.v1.CreateRoleBindingRequest;
import io.gantry.v1.Role;
import io.gantry.v1.RoleBinding;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A server that verifies its callers, as production runs: JWTs signed by a key made here, and API tokens;
 * {@value #ROOT} is admin by configuration. Stubs carry a bearer credential of the caller's. Register it as a test
 * class's extension ({@code @RegisterExtension static final VerifiedServer gantry = new VerifiedServer();}): it starts
 * before the class's {@code @BeforeAll} methods and stops after its tests.
 */
public final class VerifiedServer implements BeforeAllCallback, AfterAllCallback {

  public static final String ROOT = "root";
  static final String ISSUER = "https://login.test/";
  static final String AUDIENCE = "gantry";

  public GantryServer server;
  public ManagedChannel channel;
  private final Map<String, String> env;
  private Path dataDir;
  private Map<String, String> started;
  private Path jwks;
  private RSAKey key;

  VerifiedServer(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public VerifiedServer() {
    this(Map.of());
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dataDir = TestRegistry.tempDir("gantry-access");
    jwks = dataDir.resolveSibling(dataDir.getFileName() + "-jwks.json");
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
    Map<String, String> all = new HashMap<>(Map.of("GANTRY_JWT_KEYS", jwks.toString(), "GANTRY_JWT_ISSUER", ISSUER,
        "GANTRY_JWT_AUDIENCE", AUDIENCE, "GANTRY_API_TOKENS", "true", "GANTRY_ADMINS", "user:" + ROOT));
    all.putAll(env);
    started = Map.copyOf(all);
    server = TestRegistry.start(dataDir, started);
    channel = TestRegistry.connect(server);
  }

  /** Stops the server, as an operator would, and starts it again on the same data, keys and settings. */
  public void restart() {
    channel.shutdownNow();
    server.close();
    server = TestRegistry.start(dataDir, started);
    channel = TestRegistry.connect(server);
  }

  /** A JWT for {@code principal}, in {@code groups}, valid for ten minutes. */
  public String jwt(String principal, String... groups) {
    return jwt(Duration.ofMinutes(10), principal, groups);
  }

  /** A JWT for {@code principal}, in {@code groups}, valid for {@code validity}. */
  public String jwt(Duration validity, String principal, String... groups) {
    try {
      JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(principal)
          .expirationTime(Date.from(Instant.now().plus(validity)));
      if (groups.length > 0) {
        claims.claim("groups", List.of(groups));
      }
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
          .type(JOSEObjectType.JWT).build(), claims.build());
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code stub} sending {@code authorization: Bearer <credential>}; null sends none. */
  public static <S extends AbstractStub<S>> S bearer(S stub, String credential) {
    if (credential == null) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + credential);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  public <S extends AbstractStub<S>> S as(S stub, String principal, String... groups) {
    return bearer(stub, jwt(principal, groups));
  }

  AccessControlGrpc.AccessControlBlockingStub admin() {
    return as(AccessControlGrpc.newBlockingStub(channel), ROOT);
  }

  public RoleBinding grant(String subject, Role role, String pattern, String... aliases) {
    return admin().createRoleBinding(CreateRoleBindingRequest.newBuilder().setRoleBinding(RoleBinding.newBuilder()
        .setSubject(subject).setRole(role).setModelPattern(pattern).addAllAliases(List.of(aliases))).build());
  }

  /** An API token's secret for {@code principal}. */
  public String token(String principal) {
    return admin().createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(
        io.gantry.v1.ApiToken.newBuilder().setPrincipal(principal)).build()).getSecret();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    channel.shutdownNow();
    server.close();
    TestRegistry.deleteRecursively(dataDir);
    try {
      Files.deleteIfExists(jwks);
    } catch (Exception e) {
      // a temp file left behind is harmless
    }
  }
}
