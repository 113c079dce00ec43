package dev.ecrmirror.controller.drift;

import dev.ecrmirror.controller.table.MirrorRow;

/** The outcome of checking one row: a single-image row ({@link RowCheck}) or a repository row ({@link RepositoryCheck}). */
public sealed interface Check permits RowCheck, RepositoryCheck {
  MirrorRow row();
}
