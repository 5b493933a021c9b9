package io.gantry.server.promotion;

import io.gantry.server.alias.Alias;
import io.gantry.server.promotion.Promotion.Decision;
import io.gantry.server.version.Version;
import java.util.List;
import java.util.Optional;

/**
 * What the verdicts were computed from, all of it cheap to read again under the lock: the state machine writes only
 * if it still equals what it reads there. The content digest is the manifest digest for a version with files, so an
 * artifact check stays bound to the manifest it verified.
 */
record Basis(long aliasRevision, Optional<Integer> holder, String policySetDigest, int candidate,
    String contentDigest, Version.Status status, List<Decision> decisions) {

  static Basis of(Alias alias, Snapshot snapshot, List<Decision> decisions) {
    return new Basis(alias.revision(), alias.version(), snapshot.effective().digest(),
        snapshot.candidate().version(), snapshot.contentDigest(), snapshot.candidate().status(),
        List.copyOf(decisions));
  }
}
