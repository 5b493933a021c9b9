package io.gantry.server.mlflow;

import io.gantry.v1.Dependencies;
import io.gantry.v1.MlModel;
import io.gantry.v1.MlflowFiles;
import java.util.Optional;

/** TEMPORARY placeholder until the parser lands. */
public final class MlflowMetadata {
  public static Parsed parse(MlflowFiles files) {
    return new Parsed(Optional.empty(), Dependencies.getDefaultInstance());
  }

  public record Parsed(Optional<MlModel> mlmodel, Dependencies dependencies) {}
}
