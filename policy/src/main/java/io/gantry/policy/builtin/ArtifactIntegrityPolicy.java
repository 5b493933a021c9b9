package io.gantry.policy.builtin;

import io.gantry.policy.ArtifactCheck;
import io.gantry.policy.Candidate;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Passes when the registry holds the candidate's files and every one of them, read back from the artifact store
 * and hashed again, still matches its manifest entry: the bytes a deployment will get are the bytes registered.
 */
final class ArtifactIntegrityPolicy implements Policy {

  static final String TYPE = "artifact-integrity";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Verdict evaluate(PolicyInput input) {
    Candidate candidate = input.candidate();
    if (candidate.artifactCheck().isEmpty()) {
      return Verdict.fail(TYPE, "the registry did not re-read the files of " + candidate.reference()
          + ", so their integrity is unknown", Map.of());
    }
    ArtifactCheck check = candidate.artifactCheck().get();
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("manifest_digest", check.manifestDigest().orElse(""));
    facts.put("files", check.files());
    facts.put("bytes", check.bytes());
    facts.put("problems", check.problems());
    if (check.manifestDigest().isEmpty()) {
      return Verdict.fail(TYPE, candidate.reference() + " holds no files in the registry (it points at its source), "
          + "so there is nothing to verify; register it with its files uploaded", facts);
    }
    if (!check.problems().isEmpty()) {
      return Verdict.fail(TYPE, candidate.reference() + ": " + check.problems().size() + " of " + check.files()
          + " files no longer match the manifest; first: " + check.problems().get(0), facts);
    }
    return Verdict.pass(TYPE, "all " + check.files() + " files of " + candidate.reference() + " (" + check.bytes()
        + " bytes) match manifest " + check.manifestDigest().get(), facts);
  }
}
