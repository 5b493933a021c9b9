package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.RegisteredModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a server that verifies callers: the token from --token, GANTRY_TOKEN or a token file. */
class TokenCliTest {

  @TempDir
  static Path dir;

  private static RSAKey key;
  private static GantryServer server;
  private static String target;

  @BeforeAll
  static void startServer() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("cli").generate();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
    server = GantryServer.start(ServerConfig.fromEnvironment(Map.of("GANTRY_DATA_DIR", dir.resolve("data").toString(),
        "GANTRY_GRPC_PORT", "0", "GANTRY_HTTP_PORT", "0", "GANTRY_JWT_KEYS", jwks.toString(),
        "GANTRY_JWT_ISSUER", "https://idp.example.com", "GANTRY_JWT_AUDIENCE", "gantry")));
    target = "127.0.0.1:" + server.grpcPort();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static String token(String subject) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("cli").build(),
        new JWTClaimsSet.Builder().issuer("https://idp.example.com").audience("gantry").subject(subject)
            .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static String createdBy(String json) throws Exception {
    return CliResult.json(RegisteredModel.getDefaultInstance(), json).getCreatedBy();
  }

  @Test
  void theTokenNamesTheCaller_fromTheOptionTheEnvironmentOrAFile() throws Exception {
    Map<String, String> env = Map.of("GANTRY_TARGET", target, "GANTRY_USER", "mallory");
    assertThat(createdBy(CliResult.succeed(env, "models", "create", "one", "--token", token("erin"), "-o", "json")))
        .isEqualTo("erin");

    Map<String, String> withToken = Map.of("GANTRY_TARGET", target, "GANTRY_TOKEN", token("carol"));
    assertThat(createdBy(CliResult.succeed(withToken, "models", "create", "two", "-o", "json"))).isEqualTo("carol");

    Path file = dir.resolve("token");
    Files.writeString(file, token("dana") + "\n");
    Map<String, String> withFile = Map.of("GANTRY_TARGET", target, "GANTRY_TOKEN_FILE", file.toString());
    assertThat(createdBy(CliResult.succeed(withFile, "models", "create", "three", "-o", "json"))).isEqualTo("dana");
  }

  @Test
  void withoutAToken_theCallIsRefused_sayingWhatToSend() {
    CliResult refused = CliResult.run(Map.of("GANTRY_TARGET", target, "GANTRY_USER", "admin"), "models", "list");
    assertThat(refused.exitCode()).isEqualTo(GantryCli.EXIT_OTHER);
    assertThat(refused.err()).startsWith("error: UNAUTHENTICATED").contains("--token");

    CliResult missingFile = CliResult.run(Map.of("GANTRY_TARGET", target), "models", "list",
        "--token-file", dir.resolve("absent").toString());
    assertThat(missingFile.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(missingFile.err()).contains("--token-file", "cannot be read");
  }
}
