package io.gantry.server.query;

import io.gantry.server.common.Digests;
import io.gantry.server.error.GantryException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SortField;
import org.jooq.impl.DSL;

/**
 * One page of a list call: filter, order and keyset position, from the request's
 * {@code filter}, {@code order_by}, {@code page_size} and {@code page_token}.
 *
 * <p>Page tokens are opaque and sealed ({@link PageTokens}): they hold the last row's sort value and id, and a digest
 * of the query and the caller they belong to. A token that was altered, or is used with another filter, order or
 * list, or by another caller, is refused.
 */
public final class ListQuery {

  public static final int DEFAULT_PAGE_SIZE = 50;
  public static final int MAX_PAGE_SIZE = 1000;
  private static final int DIGEST_BYTES = 16;

  private final int pageSize;
  private final SortKey<?> sortKey;
  private final boolean descending;
  private final Field<Long> id;
  private final Condition condition;
  private final byte[] queryDigest;
  private final PageTokens tokens;

  private ListQuery(int pageSize, SortKey<?> sortKey, boolean descending, Field<Long> id, Condition condition,
      byte[] queryDigest, PageTokens tokens) {
    this.pageSize = pageSize;
    this.sortKey = sortKey;
    this.descending = descending;
    this.id = id;
    this.condition = condition;
    this.queryDigest = queryDigest;
    this.tokens = tokens;
  }

  /**
   * What a list request asks for, before it is checked.
   *
   * @param scope what else the page depends on (e.g. the parent), so a token cannot move between lists
   * @param caller the principal asking, so a token cannot move between callers
   */
  public record Request(String scope, String caller, int pageSize, String pageToken, String filter, String orderBy) {}

  /** One page of results. {@code nextPageToken} is empty on the last page. */
  public record Page<T>(List<T> items, String nextPageToken) {}

  /**
   * @param sortKeys the orders allowed, by name; the first is the default unless {@code defaultOrder} says otherwise
   */
  public static ListQuery of(Request request, FilterSchema schema, Map<String, SortKey<?>> sortKeys,
      String defaultOrder, Field<Long> id, PageTokens tokens) {
    if (request.pageSize() < 0) {
      throw GantryException.invalid("page_size", "must not be negative, got " + request.pageSize());
    }
    int pageSize = request.pageSize() == 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize(), MAX_PAGE_SIZE);
    String[] order = (request.orderBy().isBlank() ? defaultOrder : request.orderBy().trim()).split("\\s+");
    SortKey<?> sortKey = sortKeys.get(order[0]);
    if (sortKey == null || order.length > 2
        || (order.length == 2 && !order[1].equalsIgnoreCase("asc") && !order[1].equalsIgnoreCase("desc"))) {
      throw GantryException.invalid("order_by", "'" + request.orderBy() + "' is not one of "
          + String.join(", ", sortKeys.keySet()) + ", optionally followed by asc or desc");
    }
    boolean descending = order.length == 2 && order[1].toLowerCase(Locale.ROOT).equals("desc");
    Condition condition = FilterParser.parse(request.filter()).map(schema::toCondition).orElse(DSL.noCondition());
    byte[] digest = digest(request.scope(), request.caller(), request.filter(), sortKey.name(),
        String.valueOf(descending));
    ListQuery query = new ListQuery(pageSize, sortKey, descending, id, condition, digest, tokens);
    if (!request.pageToken().isEmpty()) {
      query = query.after(request.pageToken());
    }
    return query;
  }

  /** The filter and the keyset position. */
  public Condition condition() {
    return condition;
  }

  public List<SortField<?>> orderBy() {
    return descending ? List.of(sortKey.field().desc(), id.desc()) : List.of(sortKey.field().asc(), id.asc());
  }

  /** One more row than the page holds, to learn whether another page follows. */
  public int limit() {
    return pageSize + 1;
  }

  /** Cuts the fetched rows to a page and makes the token of the next one. */
  public <R extends Record, T> Page<T> page(List<R> rows, Function<R, T> map) {
    List<T> items = new ArrayList<>();
    for (int i = 0; i < Math.min(rows.size(), pageSize); i++) {
      items.add(map.apply(rows.get(i)));
    }
    String next = rows.size() > pageSize ? token(rows.get(pageSize - 1)) : "";
    return new Page<>(items, next);
  }

  private <T> String token(Record last) {
    @SuppressWarnings("unchecked")
    SortKey<T> key = (SortKey<T>) sortKey;
    byte[] value = key.encode().apply(last.get(key.field())).getBytes(StandardCharsets.UTF_8);
    return tokens.seal(ByteBuffer.allocate(DIGEST_BYTES + Long.BYTES + value.length)
        .put(queryDigest).putLong(last.get(id)).put(value).array());
  }

  private ListQuery after(String pageToken) {
    byte[] content = tokens.open(pageToken).filter(c -> c.length >= DIGEST_BYTES + Long.BYTES)
        .orElseThrow(ListQuery::malformedToken);
    if (!MessageDigest.isEqual(Arrays.copyOf(content, DIGEST_BYTES), queryDigest)) {
      throw GantryException.invalid("page_token", "belongs to a different query or caller: filter, order_by and "
          + "parent must stay as they were for the first page, and only its caller may turn the page");
    }
    ByteBuffer position = ByteBuffer.wrap(content, DIGEST_BYTES, content.length - DIGEST_BYTES);
    long lastId = position.getLong();
    String value = new String(content, position.position(), position.remaining(), StandardCharsets.UTF_8);
    try {
      return new ListQuery(pageSize, sortKey, descending, id, condition.and(seek(sortKey, value, lastId)),
          queryDigest, tokens);
    } catch (RuntimeException e) {
      throw malformedToken();
    }
  }

  private <T> Condition seek(SortKey<T> key, String encodedValue, long lastId) {
    T value = key.decode().apply(encodedValue);
    var position = DSL.row(key.field(), id);
    return descending ? position.lt(value, lastId) : position.gt(value, lastId);
  }

  private static GantryException malformedToken() {
    return GantryException.invalid("page_token",
        "is not a token this server issued, or was altered; use next_page_token exactly as returned");
  }

  /** The digest of {@code parts}, each length-prefixed so that no two lists of parts run together alike. */
  private static byte[] digest(String... parts) {
    MessageDigest digest = Digests.newSha256();
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
      digest.update(bytes);
    }
    return Arrays.copyOf(digest.digest(), DIGEST_BYTES);
  }
}
