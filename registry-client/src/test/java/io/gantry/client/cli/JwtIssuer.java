package io.gantry.client.cli;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/** An identity provider made in a test: its key in a JWKS file for the server, and the tokens it signs. */
final class JwtIssuer {

  private static final String ISSUER = "https://idp.example.com";
  private static final String AUDIENCE = "gantry";

  private final RSAKey key;
  private final Path jwks;

  private JwtIssuer(RSAKey key, Path jwks) {
    this.key = key;
    this.jwks = jwks;
  }

  /** A new key, its public half written to {@code dir/jwks.json}. */
  static JwtIssuer create(Path dir) throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("cli").generate();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
    return new JwtIssuer(key, jwks);
  }

  /** The server settings that make it verify callers by this issuer's tokens. */
  Map<String, String> serverSettings() {
    return Map.of("GANTRY_JWT_KEYS", jwks.toString(), "GANTRY_JWT_ISSUER", ISSUER, "GANTRY_JWT_AUDIENCE", AUDIENCE);
  }

  /** A token naming {@code subject}, good for ten minutes. */
  String token(String subject) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("cli").build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject)
            .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }
}
