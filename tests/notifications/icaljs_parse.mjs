// Reads an iCalendar file with ical.js (the parser of Thunderbird and Nextcloud) and prints,
// as JSON, what it understood of each VEVENT: the instants as UTC epoch seconds, so the
// Python test compares numbers, not strings that could hide a zone being ignored.
//
// Usage: node tests/notifications/icaljs_parse.mjs FILE
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const root = new ICAL.Component(ICAL.parse(text));

// A client registers the file's own time zones before reading times in them; doing the same
// makes this a fair check of any TZID/VTIMEZONE the site might write one day.
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

function instant(time) {
  if (!time) return null;
  return {
    epoch: time.toUnixTime(),
    // "floating" would mean the parser had no zone and guessed: the Python side rejects it.
    zone: time.isDate ? "date" : time.zone ? time.zone.tzid : "floating",
  };
}

const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    location: event.location,
    attendees: event.attendees.map((attendee) => attendee.getFirstValue()),
    organizer: event.organizer,
    dtstart: instant(event.startDate),
    dtend: instant(event.endDate),
  };
});

process.stdout.write(
  JSON.stringify({
    method: root.getFirstPropertyValue("method"),
    version: root.getFirstPropertyValue("version"),
    events,
  }),
);
