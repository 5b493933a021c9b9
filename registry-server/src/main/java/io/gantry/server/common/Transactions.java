package io.gantry.server.common;

import static io.gantry.db.Tables.CREATE_REQUEST;

import io.gantry.server.audit.AuditEntry;
import io.gantry.server.audit.AuditLog;
import io.gantry.server.audit.LoggedEvent;
import io.gantry.server.auth.Caller;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/**
 * The one way the registry writes: each change runs in one database transaction together with the
 * audit events it records, so no change commits without its events and a rolled-back change leaves
 * none. A write that records no event and does not declare itself unchanged is a bug, and fails.
 * Creates go through {@link #createOnce}, which keeps the first result of every {@code request_id}.
 */
public final class Transactions {

  /** The payload key that names the API token a change was made with. */
  public static final String API_TOKEN = "api_token";

  private final DSLContext dsl;
  private final AuditLog auditLog;
  private final CommitHook hook;

  public Transactions(DSLContext dsl, AuditLog auditLog, CommitHook hook) {
    this.dsl = dsl;
    this.auditLog = auditLog;
    this.hook = hook;
  }

  /** The same writes, audit log and commit hooks, on another connection ({@code Database.ownConnection}). */
  public Transactions on(DSLContext other) {
    return new Transactions(other, auditLog, hook);
  }

  /** Runs {@code work} in a transaction; it must use only the context it is given. */
  public <T> T write(String actor, Function<Tx, T> work) {
    return write(actor, "", work);
  }

  private <T> T write(String actor, String requestId, Function<Tx, T> work) {
    List<AuditEntry> written = new ArrayList<>();
    T result;
    try {
      result = dsl.transactionResult(configuration -> {
        Tx tx = new Tx(configuration.dsl());
        T value = work.apply(tx);
        if (tx.entries().isEmpty() && !tx.isUnchanged()) {
          throw new IllegalStateException("a write recorded no audit event and did not declare itself unchanged");
        }
        List<LoggedEvent> logged = auditLog.append(tx.dsl(), actor, requestId, withCredential(tx.entries()));
        if (!tx.entries().isEmpty()) {
          hook.beforeCommit(tx.dsl(), tx.entries(), logged);
        }
        written.addAll(tx.entries());
        return value;
      });
    } catch (RuntimeException e) {
      if (!written.isEmpty()) {
        hook.mayHaveCommitted(written);
      }
      throw e;
    }
    auditLog.committed(written.size());
    if (!written.isEmpty()) {
      hook.afterCommit(written);
    }
    return result;
  }

  /** Events of a call made with an API token name the token (its id, never its secret) in their payload. */
  private static List<AuditEntry> withCredential(List<AuditEntry> entries) {
    Optional<UUID> token = Caller.current().flatMap(Caller.Identity::apiToken);
    if (token.isEmpty()) {
      return entries;
    }
    List<AuditEntry> named = new ArrayList<>();
    for (AuditEntry entry : entries) {
      Map<String, Object> payload = new LinkedHashMap<>(entry.payload());
      payload.put(API_TOKEN, "apiTokens/" + token.get());
      named.add(new AuditEntry(entry.action(), entry.resource(), payload));
    }
    return named;
  }

  /**
   * Runs a create at most once per request key.
   *
   * @param create makes the resource inside the transaction, recording its events
   * @param nameOf the resource name of what was made, recorded against the key
   * @param loadExisting loads what an earlier request with the same key made
   */
  public <T> T createOnce(String actor, Optional<RequestKey> key, Function<Tx, T> create,
      Function<T, String> nameOf, BiFunction<DSLContext, String, T> loadExisting) {
    String requestId = key.map(RequestKey::requestId).orElse("");
    try {
      return write(actor, requestId, tx -> createOnce(tx, key, create, nameOf, loadExisting));
    } catch (DataAccessException e) {
      // A concurrent request with the same key committed first: the retry finds its result.
      if (key.isPresent() && Sql.violatedUniqueConstraint(e).isPresent()) {
        return write(actor, requestId, tx -> createOnce(tx, key, create, nameOf, loadExisting));
      }
      throw e;
    }
  }

  /**
   * What an earlier request with this key made, if any, read outside any transaction: lets a caller skip costly
   * work before {@link #createOnce}, which checks the key again under its transaction.
   *
   * @throws GantryException {@code REQUEST_ID_REUSED} when the key was used for a different request
   */
  public <T> Optional<T> madeEarlier(Optional<RequestKey> key, BiFunction<DSLContext, String, T> loadExisting) {
    return earlierResource(dsl, key).map(name -> loadExisting.apply(dsl, name));
  }

  private static <T> T createOnce(Tx tx, Optional<RequestKey> key, Function<Tx, T> create,
      Function<T, String> nameOf, BiFunction<DSLContext, String, T> loadExisting) {
    Optional<String> earlier = earlierResource(tx.dsl(), key);
    if (earlier.isPresent()) {
      tx.unchanged();
      return loadExisting.apply(tx.dsl(), earlier.get());
    }
    T created = create.apply(tx);
    key.ifPresent(k -> tx.dsl().insertInto(CREATE_REQUEST)
        .set(CREATE_REQUEST.METHOD, k.method())
        .set(CREATE_REQUEST.REQUEST_ID, k.requestId())
        .set(CREATE_REQUEST.REQUEST_HASH, k.fingerprint())
        .set(CREATE_REQUEST.RESOURCE_NAME, nameOf.apply(created))
        .execute());
    return created;
  }

  private static Optional<String> earlierResource(DSLContext ctx, Optional<RequestKey> key) {
    if (key.isEmpty()) {
      return Optional.empty();
    }
    var seen = ctx.selectFrom(CREATE_REQUEST)
        .where(CREATE_REQUEST.METHOD.eq(key.get().method()))
        .and(CREATE_REQUEST.REQUEST_ID.eq(key.get().requestId()))
        .fetchOne();
    if (seen == null) {
      return Optional.empty();
    }
    if (!Arrays.equals(seen.getRequestHash(), key.get().fingerprint())) {
      throw new GantryException(ErrorCode.REQUEST_ID_REUSED, "request_id '" + key.get().requestId()
          + "' was already used for a different " + key.get().method() + " request");
    }
    return Optional.of(seen.getResourceName());
  }

}
