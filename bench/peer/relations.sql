-- Computed columns that give PostGraphile the polymorphic relations csm-graphql knows in
-- Python: activities and attachments point at their record by (record_type, record_id), with
-- no foreign key PostGraphile could follow. Each function returns the rows in the order the
-- project's lists use (newest first, id as the tie-break), and PostGraphile pages them with
-- `first`. They live in their own schema, outside the application's `public` schema, so the
-- seed and the migrations never see them; `python -m bench.peer` (re)creates them.
CREATE SCHEMA IF NOT EXISTS bench_peer;

CREATE OR REPLACE FUNCTION bench_peer.success_cases_activities(record public.success_cases)
RETURNS SETOF public.activities LANGUAGE sql STABLE AS $$
    SELECT * FROM public.activities
    WHERE record_type = 'success_case' AND record_id = record.id
    ORDER BY at DESC, id DESC
$$;

CREATE OR REPLACE FUNCTION bench_peer.success_cases_attachments(record public.success_cases)
RETURNS SETOF public.attachments LANGUAGE sql STABLE AS $$
    SELECT * FROM public.attachments
    WHERE record_type = 'success_case' AND record_id = record.id
    ORDER BY created_at DESC, id DESC
$$;

CREATE OR REPLACE FUNCTION bench_peer.cases_activities(record public.cases)
RETURNS SETOF public.activities LANGUAGE sql STABLE AS $$
    SELECT * FROM public.activities
    WHERE record_type = 'case' AND record_id = record.id
    ORDER BY at DESC, id DESC
$$;
