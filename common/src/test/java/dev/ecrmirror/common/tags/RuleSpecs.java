package dev.ecrmirror.common.tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** A fluent way for tests to write a {@link RuleSpec}, one rule per call. */
final class RuleSpecs {
  private final List<String> tags = new ArrayList<>();
  private final List<String> excludeTags = new ArrayList<>();
  private Optional<String> constraint = Optional.empty();
  private final List<String> includePrereleases = new ArrayList<>();
  private final List<String> excludePrereleases = new ArrayList<>();
  private boolean releaseOnly;
  private OptionalInt maxResults = OptionalInt.empty();

  static RuleSpecs rules() {
    return new RuleSpecs();
  }

  RuleSpecs tags(String... values) {
    tags.addAll(List.of(values));
    return this;
  }

  RuleSpecs excludeTags(String... values) {
    excludeTags.addAll(List.of(values));
    return this;
  }

  RuleSpecs constraint(String value) {
    constraint = Optional.of(value);
    return this;
  }

  RuleSpecs includePrereleases(String... values) {
    includePrereleases.addAll(List.of(values));
    return this;
  }

  RuleSpecs excludePrereleases(String... values) {
    excludePrereleases.addAll(List.of(values));
    return this;
  }

  RuleSpecs releaseOnly() {
    releaseOnly = true;
    return this;
  }

  RuleSpecs maxResults(int n) {
    maxResults = OptionalInt.of(n);
    return this;
  }

  RuleSpec spec() {
    return new RuleSpec(tags, excludeTags, constraint, includePrereleases, excludePrereleases, releaseOnly, maxResults);
  }

  /** The tags these rules select from {@code listing}. */
  List<String> select(List<String> listing) {
    return TagRules.of(spec()).select(listing);
  }
}
