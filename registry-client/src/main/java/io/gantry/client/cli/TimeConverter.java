package io.gantry.client.cli;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** An RFC 3339 time ({@code 2024-05-01T12:00:00Z}, {@code 2024-05-01T14:00:00.5+02:00}), or a date: midnight UTC. */
final class TimeConverter implements ITypeConverter<Timestamp> {
  @Override
  public Timestamp convert(String value) {
    String text = value.strip().toUpperCase(Locale.ROOT);
    Instant instant;
    try {
      instant = text.length() == 10
          ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
          : OffsetDateTime.parse(text.replace(' ', 'T')).toInstant();
    } catch (DateTimeParseException e) {
      throw new TypeConversionException("expected an RFC 3339 time such as 2024-05-01T12:00:00Z, or a date such as "
          + "2024-05-01, got '" + value + "'");
    }
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}
