/** Change notification: a write announces its model on commit ({@code pg_notify}) to listeners on every replica. */
package io.gantry.server.change;
