package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.v1.GetCallerRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "whoami",
    description = "Show who the server takes the caller for: the principal, its groups, how it proved who it is (and "
        + "with which API token), whether the server checks roles, and the role bindings that apply to it.")
final class WhoamiCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    try (GantryClient client = common.connect()) {
      RoleView.caller(common.printer(), client.access().getCaller(GetCallerRequest.getDefaultInstance()));
    }
    return GantryCli.EXIT_OK;
  }
}
