package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.time;
import static io.gantry.client.cli.Cells.timeAndActor;

import io.gantry.v1.ApiToken;
import io.gantry.v1.CreateApiTokenResponse;
import io.gantry.v1.ListApiTokensResponse;
import java.nio.file.Path;

/** How {@code gantry tokens} shows API tokens, and the secret of one just made. */
final class TokenView {

  private TokenView() {
  }

  /**
   * A token just made, then its secret, which the server cannot show again; or, when the secret went to
   * {@code secretFile} (and is not in {@code created}), where it is.
   */
  static void created(Printer printer, CreateApiTokenResponse created, Path secretFile) {
    printer.print(created, out -> {
      block(created.getApiToken()).print(out);
      out.println();
      out.println(secretFile == null
          ? "secret (shown once, store it now): " + created.getSecret()
          : "secret written to " + secretFile + " (readable by its owner only; the server cannot show it again)");
    });
  }

  static void token(Printer printer, ApiToken token) {
    printer.printTable(token, () -> block(token));
  }

  /** Never their secrets, which the server does not keep. */
  static void tokens(Printer printer, ListApiTokensResponse tokens) {
    printer.printTable(tokens, () -> {
      TextTable table = new TextTable()
          .row("NAME", "PRINCIPAL", "CREATED", "CREATED_BY", "EXPIRES", "REVOKED", "LAST_USED", "DESCRIPTION");
      for (ApiToken token : tokens.getApiTokensList()) {
        table.row(token.getName(), token.getPrincipal(), time(token.getCreateTime()), token.getCreatedBy(),
            token.hasExpireTime() ? time(token.getExpireTime()) : "never",
            token.hasRevokeTime() ? timeAndActor(token.getRevokeTime(), token.getRevokedBy()) : "-",
            token.hasLastUseTime() ? time(token.getLastUseTime()) : "-", token.getDescription());
      }
      return table;
    });
  }

  private static TextTable block(ApiToken token) {
    return new TextTable()
        .row("name", token.getName())
        .row("principal", token.getPrincipal())
        .field("description", token.getDescription())
        .row("expires", token.hasExpireTime() ? time(token.getExpireTime()) : "never")
        .field("created", timeAndActor(token.getCreateTime(), token.getCreatedBy()))
        .field("revoked", timeAndActor(token.getRevokeTime(), token.getRevokedBy()))
        .field("last_used", time(token.getLastUseTime()));
  }
}
