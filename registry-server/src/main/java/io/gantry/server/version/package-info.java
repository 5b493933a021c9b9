/** Model versions and their evaluation reports, over their PostgreSQL rows. */
package io.gantry.server.version;
