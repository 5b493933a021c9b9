/** Registered models: create, read, list, tag and delete, over their PostgreSQL rows. */
package io.gantry.server.model;
