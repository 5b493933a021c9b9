package io.gantry.server.wiring;

import io.gantry.policy.PolicyFile;
import io.gantry.server.access.AccessRepository;
import io.gantry.server.access.AccessService;
import io.gantry.server.access.RefusalLog;
import io.gantry.server.config.ServerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Deque;
import java.util.Optional;

/** Who may do what: role bindings and API tokens (with the policy file's roles), and the log of refused calls. */
public record Access(AccessService service, RefusalLog refusals) {

  public static Access build(ServerConfig config, Persistence persistence, MeterRegistry metrics,
      Optional<PolicyFileText> policyFile, Deque<AutoCloseable> opened) {
    var access = new AccessService(persistence.database().dsl(), persistence.transactions(), new AccessRepository(),
        config.identity().admins(), Clock.systemUTC());
    persistence.changes().subscribe(access);
    policyFile.ifPresent(file -> file.apply(PolicyFile::parseRoles, access::apply));
    var ownConnection = persistence.database().ownConnection("gantry-refusals");
    var refusals = new RefusalLog(persistence.transactions().on(ownConnection), config.audit().refusals(),
        Clock.systemUTC(), metrics);
    opened.push(refusals);
    return new Access(access, refusals);
  }
}
