package io.gantry.client.cli;

import java.util.UUID;
import picocli.CommandLine.Option;

/** The options of every command that requests a promotion: promote, rollback, aliases remove. */
final class PromotionRequestOptions {

  @Option(names = "--justification", paramLabel = "TEXT", defaultValue = "",
      description = "Why; recorded with the promotion, shown to approvers and in the audit log.")
  String justification;

  @Option(names = "--dry-run",
      description = "Evaluate the policies and print the verdicts; write nothing. Exits as the request would.")
  boolean dryRun;

  @Option(names = "--archive-previous",
      description = "Archive the version that loses the alias, unless it holds another alias.")
  boolean archivePrevious;

  @Option(names = "--request-id", paramLabel = "ID",
      description = "A retry with the same id returns the first result (default: a new UUID).")
  String requestId = UUID.randomUUID().toString();
}
