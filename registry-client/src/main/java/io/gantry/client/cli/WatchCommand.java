package io.gantry.client.cli;

import io.gantry.client.AliasWatcher;
import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.Alias;
import io.gantry.v1.AliasMove;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.Status;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "watch",
    description = {
        "Print an alias as it stands, then each move as it commits, until interrupted (Ctrl-C): "
            + "models:/MODEL@ALIAS, or models:/MODEL@* for every alias of the model.",
        "A lost connection or a restarting server is retried with backoff (noted on stderr), resuming after the "
            + "last revision printed, so no move is missed or printed twice. With -o json, each event is one line "
            + "of JSON: {\"current\": Alias} or {\"moved\": AliasMove}."})
final class WatchCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Parameters(paramLabel = "URI",
      description = "models:/MODEL@ALIAS, models/MODEL/aliases/ALIAS, or models:/MODEL@* for every alias.")
  String reference;

  @Option(names = "--since-revision", paramLabel = "REVISION",
      description = "Print the moves after this revision of the alias first (see gantry aliases history), "
          + "then its state.")
  Long sinceRevision;

  @Override
  public Integer call() throws InterruptedException {
    String name = common.resourceName(() -> ResourceNames.alias(reference));
    WatchAliasRequest.Builder request = WatchAliasRequest.newBuilder().setName(name);
    if (sinceRevision != null) {
      if (sinceRevision < 0) {
        throw common.usageError("--since-revision must be 0 or more");
      }
      if (name.endsWith("/*")) {
        throw common.usageError("--since-revision applies to one alias; with @* each alias starts from its state");
      }
      request.setSinceRevision(sinceRevision);
    }
    Printer printer = common.printer();
    PrintWriter err = common.err();
    WatchView.header(printer);
    try (GantryClient client = common.connect();
        AliasWatcher watch = client.watchAlias(request.build(), new AliasWatcher.Listener() {
          @Override
          public void current(Alias alias) {
            WatchView.current(printer, alias);
          }

          @Override
          public void moved(AliasMove move) {
            WatchView.moved(printer, move);
          }

          @Override
          public void reconnecting(Status cause, Duration delay) {
            err.println("watch: " + cause.getCode() + (cause.getDescription() == null ? "" : ": "
                + cause.getDescription()) + "; reconnecting in " + delay.toMillis() + " ms");
          }
        })) {
      watch.awaitEnd();
    } catch (InterruptedException interrupted) {
      // Ctrl-C in a test's thread; a real process ends with the signal.
    }
    return GantryCli.EXIT_OK;
  }
}
