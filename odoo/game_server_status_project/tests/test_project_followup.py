from odoo.tests.common import TransactionCase, new_test_user, tagged

from odoo.addons.game_server_status.tests.common import T0, minutes_after, offline, online


@tagged('post_install', '-at_install')
class TestProjectFollowUp(TransactionCase):
    """With a follow-up project, outages and host incidents are tasks there, closed when they are back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Server = cls.env['game.server']
        cls.tech = new_test_user(cls.env, login='gss_project_tech',
                                 groups='base.group_user,game_server_status.group_game_server_user')
        cls.guild = cls.env['res.partner'].create({'name': 'Pixel Guild'})
        cls.project = cls.env['project.project'].create({'name': 'Game server incidents'})
        cls.new, cls.working, cls.done = cls.env['project.task.type'].create([
            {'name': 'New', 'sequence': 1, 'project_ids': [(6, 0, cls.project.ids)]},
            {'name': 'Working on it', 'sequence': 5, 'project_ids': [(6, 0, cls.project.ids)]},
            {'name': 'Solved', 'sequence': 10, 'fold': True, 'project_ids': [(6, 0, cls.project.ids)]},
        ])
        cls.alpha = cls.Server.create({'name': 'Alpha', 'game': 'minecraft', 'host': 'alpha.test', 'port': 1,
                                       'user_id': cls.tech.id, 'partner_id': cls.guild.id})
        cls.env['ir.config_parameter'].sudo().set_param('game_server_status.followup_project_id', cls.project.id)

    def setUp(self):
        super().setUp()
        self.t = minutes_after(T0, *range(20))

    def down(self, servers, *minutes):
        self.Server.apply_status_reports([offline(s.id, self.t[m]) for m in minutes for s in servers])

    def up(self, servers, minute):
        self.Server.apply_status_reports([online(s.id, self.t[minute]) for s in servers])

    def test_an_outage_is_a_task_for_its_responsible_closed_when_the_server_is_back(self):
        self.down(self.alpha, 0, 1, 2)
        task = self.alpha.open_outage_id.task_id
        self.assertEqual((task.project_id, task.stage_id, task.user_ids, task.partner_id),
                         (self.project, self.new, self.tech, self.guild))
        self.assertIn('alpha.test:1', task.description)
        self.assertFalse(self.alpha.activity_ids, "a task instead of an activity")
        self.up(self.alpha, 6)
        self.assertEqual((task.stage_id, task.state), (self.done, '1_done'))
        self.assertIn('Alpha is back after 6 min 0 s', task.message_ids[:1].body)

    def test_a_host_incident_is_one_task_for_everyone_answering_for_its_servers(self):
        other = new_test_user(self.env, login='gss_project_other',
                              groups='base.group_user,game_server_status.group_game_server_user')
        rack = self.Server.create([{'name': 'R%s' % n, 'game': 'minecraft', 'host': '10.0.0.8', 'port': 10 + n,
                                    'user_id': (self.tech.id, other.id, other.id)[n]} for n in range(3)])
        self.down(rack, 0, 1, 2)
        incident = rack.open_outage_id.incident_id
        self.assertEqual(len(self.env['project.task'].search([('project_id', '=', self.project.id)])), 1)
        self.assertEqual(incident.task_id.user_ids, self.tech | other)
        self.assertFalse(incident.task_id.partner_id, "no single customer")

    def test_a_task_a_person_moved_on_is_not_overwritten(self):
        self.down(self.alpha, 0, 1, 2)
        task = self.alpha.open_outage_id.task_id
        task.write({'stage_id': self.working.id, 'name': 'Alpha: disk full, replacing it'})
        self.up(self.alpha, 8)
        self.assertEqual((task.stage_id, task.name), (self.working, 'Alpha: disk full, replacing it'))
        self.assertNotEqual(task.state, '1_done')
        self.assertIn('Alpha is back', task.message_ids[:1].body, "told, never moved")

    def test_without_a_project_activities_as_before(self):
        self.env['ir.config_parameter'].sudo().set_param('game_server_status.followup_project_id', '')
        self.down(self.alpha, 0, 1, 2)
        self.assertFalse(self.alpha.open_outage_id.task_id)
        self.assertTrue(self.alpha.activity_ids)
