package io.gantry.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One model version as a policy sees it: the candidate of a promotion, or the alias's current holder.
 *
 * @param model the registered model's name, such as {@code nyc-taxi-duration}
 * @param version the version number, 1, 2, 3 … per model
 * @param status the version's lifecycle state
 * @param createdBy the principal who registered the version
 * @param tags the version's tags
 * @param signature the MLflow signature, when the model was logged with one
 * @param metrics the latest value of each metric per evaluation dataset: dataset → metric → value
 * @param datasetDigests the digest of each evaluation dataset, by dataset name
 * @param requirements the Python requirements, in file order
 * @param contentDigest the digest that identifies the version's content (its artifact manifest digest)
 * @param artifactCheck the stored files read back and hashed again; present only when the policy set asks for it
 */
public record Candidate(
    String model,
    long version,
    VersionStatus status,
    String createdBy,
    Map<String, String> tags,
    Optional<Signature> signature,
    Map<String, Map<String, Double>> metrics,
    Map<String, String> datasetDigests,
    List<Requirement> requirements,
    String contentDigest,
    Optional<ArtifactCheck> artifactCheck) {

  public Candidate {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(contentDigest, "contentDigest");
    Objects.requireNonNull(artifactCheck, "artifactCheck");
    tags = Map.copyOf(tags);
    metrics = metrics.entrySet().stream()
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Map.copyOf(e.getValue())));
    datasetDigests = Map.copyOf(datasetDigests);
    requirements = List.copyOf(requirements);
  }

  /** The latest value of {@code metric} on {@code dataset}, if it was reported. */
  public Optional<Double> metric(String dataset, String metric) {
    return Optional.ofNullable(metrics.getOrDefault(dataset, Map.of()).get(metric));
  }

  /** {@code model/version}, as messages cite a version. */
  public String reference() {
    return model + "/" + version;
  }
}
