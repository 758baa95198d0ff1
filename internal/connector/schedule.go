package connector

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// cronParser accepts the standard five fields and descriptors (@daily, ...).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Next returns the first run time strictly after t. A disabled schedule
// never runs (zero time, no error).
func (s Schedule) Next(t time.Time) (time.Time, error) {
	if s.Disabled {
		return time.Time{}, nil
	}
	loc := time.UTC
	if s.Timezone != "" {
		l, err := time.LoadLocation(s.Timezone)
		if err != nil {
			return time.Time{}, fmt.Errorf("schedule time zone %q: %w", s.Timezone, err)
		}
		loc = l
	}
	if s.Cron != "" {
		sched, err := cronParser.Parse(s.Cron)
		if err != nil {
			return time.Time{}, fmt.Errorf("schedule cron %q: %w", s.Cron, err)
		}
		return sched.Next(t.In(loc)).UTC(), nil
	}
	at, err := time.Parse("15:04", s.Daily)
	if err != nil {
		return time.Time{}, fmt.Errorf("schedule daily time %q must be HH:MM", s.Daily)
	}
	lt := t.In(loc)
	next := time.Date(lt.Year(), lt.Month(), lt.Day(), at.Hour(), at.Minute(), 0, 0, loc)
	if !next.After(lt) {
		next = time.Date(lt.Year(), lt.Month(), lt.Day()+1, at.Hour(), at.Minute(), 0, 0, loc)
	}
	return next.UTC(), nil
}

// Due reports whether a run is owed at now given the last run's start:
// true when a scheduled time fell in (last, now]. However many were missed
// (the service was down for days), this yields one run, not many.
func (s Schedule) Due(last, now time.Time) (bool, error) {
	if s.Disabled {
		return false, nil
	}
	if last.IsZero() {
		return true, nil
	}
	next, err := s.Next(last)
	if err != nil {
		return false, err
	}
	return !next.After(now), nil
}
