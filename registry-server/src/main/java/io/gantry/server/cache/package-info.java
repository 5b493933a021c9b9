/** The resolve cache: the hottest reads kept as response bytes, dropped when their model changes on any replica. */
package io.gantry.server.cache;
