-- The SQL floor of the portal query (bench/queries.py PORTAL) for the internal agent: one
-- hand-written statement that returns exactly the JSON value of csm-graphql's response
-- `data` (same keys, same order, same records, global ids built the project's way:
-- unpadded base64 of 'Type:rowId'). The agent reads every success record, so no row
-- predicate applies. Orderings are the project's defaults: engagements by number,
-- initiatives and success cases by due date with nulls last, ids as the tie-break.
-- tests/test_bench_peer.py checks it against the project's answer; `python -m bench.peer`
-- runs it with pgbench as the fastest this answer can come out of PostgreSQL.
SELECT json_build_object('engagements', json_build_object('nodes', coalesce((
    SELECT json_agg(json_build_object(
        'id', rtrim(encode(convert_to('Engagement:' || e.id, 'UTF8'), 'base64'), '='),
        'number', e.number,
        'name', e.name,
        'stage', upper(e.stage),
        'account', json_build_object(
            'id', rtrim(encode(convert_to('Account:' || a.id, 'UTF8'), 'base64'), '='),
            'name', a.name),
        'initiatives', json_build_object('nodes', initiatives.nodes)
    ) ORDER BY e.number, e.id)
    FROM (SELECT * FROM engagements ORDER BY number, id LIMIT 20) AS e
    JOIN accounts AS a ON a.id = e.account_id
    CROSS JOIN LATERAL (
        SELECT coalesce(json_agg(json_build_object(
            'id', rtrim(encode(convert_to('SuccessInitiative:' || i.id, 'UTF8'), 'base64'), '='),
            'number', i.number,
            'shortDescription', i.short_description,
            'state', upper(i.state),
            'priority', CASE i.priority WHEN 1 THEN 'CRITICAL' WHEN 2 THEN 'HIGH'
                WHEN 3 THEN 'MODERATE' WHEN 4 THEN 'LOW' WHEN 5 THEN 'VERY_LOW' END,
            'dueDate', i.due_date,
            'successCases', json_build_object('nodes', cases.nodes)
        ) ORDER BY i.due_key, i.id), '[]'::json) AS nodes
        FROM (
            SELECT *, coalesce(due_date, 'infinity'::date) AS due_key
            FROM success_initiatives
            WHERE engagement_id = e.id
            ORDER BY due_key, id
            LIMIT 10
        ) AS i
        CROSS JOIN LATERAL (
            SELECT coalesce(json_agg(json_build_object(
                'id', rtrim(encode(convert_to('SuccessCase:' || c.id, 'UTF8'), 'base64'), '='),
                'number', c.number,
                'subject', c.short_description,
                'state', upper(c.state),
                'dueDate', c.due_date
            ) ORDER BY c.due_key, c.id), '[]'::json) AS nodes
            FROM (
                SELECT *, coalesce(due_date, 'infinity'::date) AS due_key
                FROM success_cases
                WHERE initiative_id = i.id
                ORDER BY due_key, id
                LIMIT 5
            ) AS c
        ) AS cases
    ) AS initiatives
), '[]'::json))) AS data;
