from odoo.tests.common import new_test_user, tagged

from .common import T0, GameServerCase, minutes_after, offline, online


@tagged('post_install', '-at_install')
class TestFollowUp(GameServerCase):
    """An outage or host incident is an activity for whoever answers for the servers, done on recovery."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = 'base.group_user,game_server_status.group_game_server_user'
        cls.tech = new_test_user(cls.env, login='gss_followup_tech', groups=groups)
        cls.other_tech = new_test_user(cls.env, login='gss_followup_other', groups=groups)
        cls.lead = new_test_user(cls.env, login='gss_followup_lead', groups=groups)
        cls.down_type = cls.env.ref('game_server_status.mail_activity_type_server_down')

    def setUp(self):
        super().setUp()
        self.t = minutes_after(T0, *range(20))

    def down(self, servers, *minutes):
        self.apply([offline(s.id, self.t[m], 'timeout', 'no answer') for m in minutes for s in servers])

    def up(self, servers, minute):
        self.apply([online(s.id, self.t[minute]) for s in servers])

    def activities(self, record):
        return self.env['mail.activity'].search([('res_model', '=', record._name), ('res_id', '=', record.id),
                                                 ('activity_type_id', '=', self.down_type.id)])

    def test_a_server_down_is_an_activity_of_its_responsible_done_when_it_is_back(self):
        self.alpha.user_id = self.tech
        self.down(self.alpha, 0, 1, 2)
        activity = self.activities(self.alpha)
        self.assertEqual((len(activity), activity.user_id, activity.summary),
                         (1, self.tech, 'Alpha is down (timeout: no answer)'))
        self.up(self.alpha, 7)
        self.assertFalse(self.activities(self.alpha))
        done = self.alpha.message_ids.filtered(lambda m: m.mail_activity_type_id == self.down_type)
        self.assertIn('Alpha is back after 7 min 0 s', done.body)

    def test_without_a_responsible_the_follow_up_user_of_the_settings_or_nobody(self):
        self.down(self.alpha, 0, 1, 2)
        self.assertFalse(self.activities(self.alpha), "nobody to give it to")
        self.set_setting('followup_user_id', self.lead.id)
        self.down(self.beta, 0, 1, 2)
        self.assertEqual(self.activities(self.beta).user_id, self.lead)

    def test_a_host_incident_is_one_activity_per_person_answering_for_its_servers(self):
        self.set_setting('followup_user_id', self.lead.id)
        rack = self.Server.create([{'name': 'R%s' % n, 'game': 'minecraft', 'host': '10.0.0.7', 'port': 10 + n,
                                    'user_id': (self.tech.id, self.tech.id, self.other_tech.id, False)[n]}
                                   for n in range(4)])
        self.down(rack, 0, 1, 2)
        incident = rack.open_outage_id.incident_id
        self.assertEqual(len(incident), 1)
        self.assertEqual(self.activities(incident).user_id, self.tech | self.other_tech | self.lead)
        self.assertFalse(self.activities(rack[0]), "the servers of the incident get none of their own")
        self.up(rack, 9)
        self.assertFalse(self.activities(incident))

    def test_an_activity_a_person_closed_is_left_alone(self):
        self.alpha.user_id = self.tech
        self.down(self.alpha, 0, 1, 2)
        self.activities(self.alpha).with_user(self.tech).action_feedback(feedback='rebooted it')
        self.up(self.alpha, 5)
        self.assertFalse(self.activities(self.alpha))
