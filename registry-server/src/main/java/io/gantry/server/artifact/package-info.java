/** Managed artifacts: a version's files, uploaded whole, content-addressed, immutable once finalized. */
package io.gantry.server.artifact;
