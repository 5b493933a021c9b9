package io.gantry.server.promotion;

import static io.gantry.db.Tables.MODEL_ALIAS;
import static io.gantry.db.Tables.REGISTERED_MODEL;

import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** Whether a transaction holds an alias: what a promotion must never do while its policies are evaluated. */
public final class AliasLocks {

  private AliasLocks() {}

  /** Whether the (existing) alias's row can be locked without waiting, i.e. no transaction holds it now. */
  public static boolean lockableAtOnce(DSLContext dsl, String model, String alias) {
    try {
      dsl.transaction(cfg -> DSL.using(cfg).select(MODEL_ALIAS.REVISION).from(MODEL_ALIAS)
          .join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_ALIAS.MODEL_ID))
          .where(REGISTERED_MODEL.NAME.eq(model)).and(MODEL_ALIAS.ALIAS.eq(alias))
          .forUpdate().of(MODEL_ALIAS).noWait().fetchSingle());
      return true;
    } catch (DataAccessException e) {
      return false;
    }
  }
}
