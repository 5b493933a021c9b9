package io.gantry.policy;

import io.gantry.policy.DataType.Scalar;
import io.gantry.policy.Signature.ColumnSpec;
import io.gantry.policy.Signature.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Optional;

/**
 * Snapshots of the NYC taxi trip duration scenario: v1 is the champion (rmse 5.335 on validation, 5.567 on test,
 * pinned requirements, tagged), and tests derive variants from it.
 */
public final class Snapshots {

  public static final String MODEL = "nyc-taxi-duration";
  public static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");

  private Snapshots() {}

  /** The champion's signature: three required inputs, one optional, one output. */
  public static Signature taxiSignature() {
    return new Signature(
        new Schema.Columns(List.of(
            new ColumnSpec("trip_distance", Scalar.DOUBLE, true),
            new ColumnSpec("passenger_count", Scalar.LONG, true),
            new ColumnSpec("pickup_zone", Scalar.STRING, true),
            new ColumnSpec("vendor_id", Scalar.INTEGER, false))),
        new Schema.Columns(List.of(new ColumnSpec("duration_minutes", Scalar.DOUBLE, true))),
        List.of());
  }

  public static Requirement requirement(int lineNumber, String name, String specifier) {
    boolean pinned = specifier.startsWith("==") && !specifier.contains("*") && !specifier.contains(",");
    return new Requirement(name, specifier, pinned, name + specifier, lineNumber, "requirements.txt");
  }

  /** A version of the taxi model, like v1 unless changed. */
  public static VersionBuilder version(long number) {
    return new VersionBuilder(number);
  }

  /** A request by {@code carol} to move {@code alias}. */
  public static PromotionRequest request(String alias) {
    return new PromotionRequest("carol", alias, "better on test", NOW.minus(Duration.ofMinutes(5)));
  }

  /** The input for promoting {@code candidate} to {@code alias} over {@code current}, with no approvals or history. */
  public static PolicyInput input(Candidate candidate, Optional<Candidate> current, String alias) {
    return new PolicyInput(candidate, current, request(alias), List.of(), List.of(), NOW);
  }

  /** Builds a {@link Candidate}; starts as the taxi champion v1 with another number. */
  public static final class VersionBuilder {
    private final long number;
    private String createdBy = "erin";
    private final Map<String, String> tags = new LinkedHashMap<>(Map.of(
        "git_commit", "3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39", "data_version", "2024-01"));
    private Optional<Signature> signature = Optional.of(taxiSignature());
    private final Map<String, Map<String, Double>> metrics = new LinkedHashMap<>(Map.of(
        "validation", Map.of("rmse", 5.335), "test", Map.of("rmse", 5.567)));
    private final List<Requirement> requirements = new ArrayList<>(List.of(
        requirement(1, "scikit-learn", "==1.5.2"),
        requirement(2, "numpy", "==1.26.4"),
        requirement(3, "pandas", "==2.2.2")));
    private Optional<ArtifactCheck> artifactCheck = Optional.empty();

    private VersionBuilder(long number) {
      this.number = number;
    }

    public VersionBuilder createdBy(String principal) {
      createdBy = principal;
      return this;
    }

    public VersionBuilder tag(String key, String value) {
      tags.put(key, value);
      return this;
    }

    public VersionBuilder withoutTag(String key) {
      tags.remove(key);
      return this;
    }

    public VersionBuilder signature(Signature value) {
      signature = Optional.of(value);
      return this;
    }

    public VersionBuilder withoutSignature() {
      signature = Optional.empty();
      return this;
    }

    public VersionBuilder metric(String dataset, String metric, double value) {
      Map<String, Double> values = new LinkedHashMap<>(metrics.getOrDefault(dataset, Map.of()));
      values.put(metric, value);
      metrics.put(dataset, values);
      return this;
    }

    public VersionBuilder requirements(Requirement... values) {
      requirements.clear();
      requirements.addAll(List.of(values));
      return this;
    }

    public VersionBuilder artifactCheck(ArtifactCheck value) {
      artifactCheck = Optional.of(value);
      return this;
    }

    public Candidate build() {
      return new Candidate(MODEL, number, VersionStatus.READY, createdBy, tags, signature, metrics,
          Map.of("validation", "sha256:1111", "test", "sha256:2222"), requirements, "sha256:abcd" + number,
          artifactCheck);
    }
  }
}
