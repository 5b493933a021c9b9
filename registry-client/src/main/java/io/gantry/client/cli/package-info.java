/** The {@code gantry} command line (picocli): a command class per resource, and the views that print results. */
package io.gantry.client.cli;
