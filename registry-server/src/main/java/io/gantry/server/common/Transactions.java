package io.gantry.server.common;

import static io.gantry.db.Tables.CREATE_REQUEST;

import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/**
 * Runs the registry's writes, each in one database transaction. Creates go through
 * {@link #createOnce}, which keeps the first result of every {@code request_id} in the same
 * transaction as the resource it made, so a retry can never create twice.
 */
public final class Transactions {

  private final DSLContext dsl;

  public Transactions(DSLContext dsl) {
    this.dsl = dsl;
  }

  /** Runs {@code work} in a transaction; it must use only the context it is given. */
  public <T> T write(Function<DSLContext, T> work) {
    return dsl.transactionResult(configuration -> work.apply(configuration.dsl()));
  }

  /**
   * Runs a create at most once per request key.
   *
   * @param create makes the resource inside the transaction
   * @param nameOf the resource name of what was made, recorded against the key
   * @param loadExisting loads what an earlier request with the same key made
   */
  public <T> T createOnce(Optional<RequestKey> key, Function<DSLContext, T> create,
      Function<T, String> nameOf, BiFunction<DSLContext, String, T> loadExisting) {
    try {
      return write(tx -> createOnce(tx, key, create, nameOf, loadExisting));
    } catch (DataAccessException e) {
      // A concurrent request with the same key committed first: the retry finds its result.
      if (key.isPresent() && Sql.violatedUniqueConstraint(e).isPresent()) {
        return write(tx -> createOnce(tx, key, create, nameOf, loadExisting));
      }
      throw e;
    }
  }

  private static <T> T createOnce(DSLContext tx, Optional<RequestKey> key, Function<DSLContext, T> create,
      Function<T, String> nameOf, BiFunction<DSLContext, String, T> loadExisting) {
    if (key.isPresent()) {
      var seen = tx.selectFrom(CREATE_REQUEST)
          .where(CREATE_REQUEST.METHOD.eq(key.get().method()))
          .and(CREATE_REQUEST.REQUEST_ID.eq(key.get().requestId()))
          .fetchOne();
      if (seen != null) {
        if (!Arrays.equals(seen.getRequestHash(), key.get().fingerprint())) {
          throw new GantryException(ErrorCode.REQUEST_ID_REUSED, "request_id '" + key.get().requestId()
              + "' was already used for a different " + key.get().method() + " request");
        }
        return loadExisting.apply(tx, seen.getResourceName());
      }
    }
    T created = create.apply(tx);
    key.ifPresent(k -> tx.insertInto(CREATE_REQUEST)
        .set(CREATE_REQUEST.METHOD, k.method())
        .set(CREATE_REQUEST.REQUEST_ID, k.requestId())
        .set(CREATE_REQUEST.REQUEST_HASH, k.fingerprint())
        .set(CREATE_REQUEST.RESOURCE_NAME, nameOf.apply(created))
        .execute());
    return created;
  }
}
