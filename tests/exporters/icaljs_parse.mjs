// Parse an iCalendar file with Mozilla's ical.js (what Thunderbird uses) and print what it understood as JSON.
// Usage: node tests/exporters/icaljs_parse.mjs FILE.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function time(value) {
  if (value === null || value === undefined) return null;
  return { text: value.toString(), isDate: value.isDate, zone: value.zone ? value.zone.tzid : null };
}

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const categories = vevent.getAllProperties("categories").flatMap((p) => p.getValues());
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    sequence: event.sequence,
    dtstart: time(vevent.getFirstPropertyValue("dtstart")),
    dtend: time(vevent.getFirstPropertyValue("dtend")),
    dtstamp: time(vevent.getFirstPropertyValue("dtstamp")),
    lastModified: time(vevent.getFirstPropertyValue("last-modified")),
    transp: vevent.getFirstPropertyValue("transp"),
    edtf: vevent.getFirstPropertyValue("x-timeline-edtf"),
    categories,
    categoryProperties: vevent.getAllProperties("categories").length,
    duration: vevent.getFirstPropertyValue("duration") ? vevent.getFirstPropertyValue("duration").toString() : null,
  };
});
const refresh = calendar.getFirstProperty("refresh-interval");
console.log(
  JSON.stringify({
    version: calendar.getFirstPropertyValue("version"),
    prodid: calendar.getFirstPropertyValue("prodid"),
    uid: calendar.getFirstPropertyValue("uid"),
    name: calendar.getFirstPropertyValue("name"),
    wrCalname: calendar.getFirstPropertyValue("x-wr-calname"),
    refreshInterval: refresh ? { value: refresh.getFirstValue().toString(), type: refresh.type } : null,
    publishedTtl: calendar.getFirstPropertyValue("x-published-ttl"),
    events,
  }),
);
