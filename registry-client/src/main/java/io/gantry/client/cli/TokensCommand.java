package io.gantry.client.cli;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.ApiToken;
import io.gantry.v1.CreateApiTokenRequest;
import io.gantry.v1.CreateApiTokenResponse;
import io.gantry.v1.ListApiTokensRequest;
import io.gantry.v1.RevokeApiTokenRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tokens",
    description = "Static API tokens for pipelines: each calls as its principal, sent like a JWT (--token, "
        + "$GANTRY_TOKEN, --token-file), on a server run with GANTRY_API_TOKENS=true. Needs the admin role on every "
        + "model.",
    subcommands = {TokensCommand.CreateToken.class, TokensCommand.ListTokens.class, TokensCommand.RevokeToken.class})
final class TokensCommand extends CommandGroup {

  @Command(name = "create",
      description = "Make a token that calls as --principal; give that principal roles with gantry roles grant. Its "
          + "secret is printed once (or written to --secret-file): the server keeps only its SHA-256 and cannot "
          + "show it again.")
  static final class CreateToken implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--principal", paramLabel = "NAME", required = true,
        description = "Who calls with it; role bindings name it user:NAME (or token:NAME, for this credential only).")
    String principal;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "",
        description = "What it is for, e.g. 'nightly deploy'.")
    String description;

    @ArgGroup(exclusive = true)
    Expiry expiry;

    @Option(names = "--secret-file", paramLabel = "FILE",
        description = "Write the secret to FILE, made readable by its owner only (rw-------), instead of printing "
            + "it; a FILE that exists is refused before the token is made.")
    Path secretFile;

    /** When the token stops working; without either option, never. */
    static final class Expiry {
      @Option(names = "--expires-in", paramLabel = "DURATION", converter = DurationConverter.class,
          description = "Expire after 90s, 15m, 2h, 7d or ISO-8601 (P90D).")
      Duration expiresIn;

      @Option(names = "--expires-at", paramLabel = "TIME", converter = TimeConverter.class,
          description = "Expire at this RFC 3339 time (2026-12-31T18:00:00Z), or date (at 00:00 UTC).")
      Timestamp expiresAt;
    }

    @Override
    public Integer call() throws IOException {
      ApiToken.Builder token = ApiToken.newBuilder().setPrincipal(principal).setDescription(description);
      if (expiry != null) {
        token.setExpireTime(expireTime());
      }
      CreateApiTokenRequest request = CreateApiTokenRequest.newBuilder().setApiToken(token).build();
      if (secretFile == null) {
        TokenView.created(common.printer(), create(request), null);
        return GantryCli.EXIT_OK;
      }
      // made before the token, so that a file in the way costs no token
      var created = SecretFile.create(common, secretFile, () -> create(request), CreateApiTokenResponse::getSecret,
          c -> c.getApiToken().getName());
      if (created.isEmpty()) {
        return GantryCli.EXIT_OTHER;
      }
      TokenView.created(common.printer(), created.get().toBuilder().clearSecret().build(), secretFile);
      return GantryCli.EXIT_OK;
    }

    private Timestamp expireTime() {
      if (expiry.expiresAt != null) {
        return expiry.expiresAt;
      }
      if (expiry.expiresIn.isNegative() || expiry.expiresIn.isZero()) {
        throw common.usageError("--expires-in must be positive");
      }
      return Timestamps.fromMillis(Instant.now().plus(expiry.expiresIn).toEpochMilli());
    }

    private CreateApiTokenResponse create(CreateApiTokenRequest request) {
      try (GantryClient client = common.connect()) {
        return client.access().createApiToken(request);
      }
    }
  }

  @Command(name = "list", description = "List the tokens that work now, or every one with --all; never a secret.")
  static final class ListTokens implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--all", description = "Revoked and expired tokens too.")
    boolean all;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        TokenView.tokens(common.printer(), client.access().listApiTokens(
            ListApiTokensRequest.newBuilder().setShowInactive(all).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "revoke",
      description = "Revoke a token: every call with it is refused from now on. Revoking it again changes nothing.")
  static final class RevokeToken implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "TOKEN", description = "apiTokens/UUID, or the UUID alone (see gantry tokens list).")
    String token;

    @Override
    public Integer call() {
      String name = common.resourceName(() -> ResourceNames.apiToken(token));
      try (GantryClient client = common.connect()) {
        TokenView.token(common.printer(), client.access().revokeApiToken(
            RevokeApiTokenRequest.newBuilder().setName(name).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }
}
