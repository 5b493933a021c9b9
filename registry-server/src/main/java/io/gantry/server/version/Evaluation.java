package io.gantry.server.version;

import io.gantry.server.common.Names;
import java.time.OffsetDateTime;
import java.util.Map;

/** One evaluation report on a version: appended, never changed. */
public record Evaluation(long id, String modelId, int version, String dataset, String datasetDigest,
    Map<String, Double> metrics, OffsetDateTime createTime, String createdBy) {

  public String name() {
    return Names.versionName(modelId, version) + "/evaluations/" + id;
  }
}
