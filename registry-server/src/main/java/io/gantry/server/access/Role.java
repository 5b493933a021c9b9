package io.gantry.server.access;

import java.util.EnumSet;
import java.util.Set;

/** What a role binding gives: each role a set of rights. */
public enum Role {
  VIEWER(EnumSet.of(Right.READ)),
  PUBLISHER(EnumSet.of(Right.READ, Right.PUBLISH)),
  APPROVER(EnumSet.of(Right.READ, Right.APPROVE)),
  AUDITOR(EnumSet.of(Right.READ, Right.AUDIT)),
  ADMIN(EnumSet.allOf(Right.class));

  private final Set<Right> rights;

  Role(Set<Right> rights) {
    this.rights = rights;
  }

  public boolean gives(Right right) {
    return rights.contains(right);
  }

  /** As stored and as written in policy files: {@code viewer}, {@code publisher} … */
  public String wireName() {
    return name().toLowerCase();
  }

  /** The least role that gives {@code right}: what a refusal tells the caller to ask for. */
  static Role leastGiving(Right right) {
    for (Role role : values()) {
      if (role.gives(right)) {
        return role;
      }
    }
    throw new IllegalArgumentException(right.name());
  }
}
