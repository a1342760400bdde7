/** @odoo-module **/
/*
 * The fleet dashboard management opens first: tiles for the figures of now, today and this month,
 * players per game over the last day, utilization per game and the least-used servers. A client
 * action rather than graph, pivot and list blocks: those views draw one model each and no single
 * figure (servers online, peak today, SLA at risk), and Community has no board for them on 17-19
 * without another module. All figures come from one call (game.server.dashboard.dashboard_data);
 * every tile and row opens the records behind it. Same code on Odoo 17, 18 and 19.
 */
import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { deserializeDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { formatFloat, formatInteger } from "@web/views/fields/formatters";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { Layout } from "@web/search/layout";

/** Colours of the chart's lines, in order (the last one is "Other games" when there is one). */
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f"];
const CHART = { width: 720, height: 240, left: 44, right: 12, top: 12, bottom: 28 };

export class GameServerDashboard extends Component {
    static template = "game_server_status.Dashboard";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({ data: null });
        this.chart = CHART;
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call("game.server.dashboard", "dashboard_data", []);
    }

    integer(value) {
        return formatInteger(value || 0);
    }

    decimal(value, digits = 1) {
        return formatFloat(value || 0, { digits: [16, digits] });
    }

    percent(value) {
        return value === null || value === undefined ? "–" : `${formatFloat(value, { digits: [16, 2] })} %`;
    }

    /** The tiles' sentences, each one whole text to translate. */
    get texts() {
        const data = this.state.data;
        return {
            servers: _t("of %s servers", this.integer(data.fleet.servers)),
            slots: _t("of %s slots online", this.integer(data.fleet.slots)),
            outages: _t("Outages open: %s", this.integer(data.open_outages)),
            sla: _t("%(breached)s breached, of %(measured)s servers under an SLA", {
                breached: this.integer(data.sla.breached),
                measured: this.integer(data.sla.measured),
            }),
            peak: _t("players at once since midnight (%s)", data.timezone),
        };
    }

    gameUtilization(game) {
        return _t("%(now)s now, %(month)s this month", {
            now: this.percent(game.utilization_now),
            month: this.percent(game.utilization_month),
        });
    }

    /** The chart's top: four grid steps of 1, 2 or 5 times a power of ten, above every value. */
    get chartMax() {
        const values = this.state.data.players.series.flatMap((line) => line.values);
        const quarter = Math.max(1, ...values) / 4;
        const power = 10 ** Math.floor(Math.log10(quarter));
        const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= quarter);
        return 4 * step;
    }

    get gridLines() {
        const { height, top, bottom } = CHART;
        const digits = this.chartMax < 4 ? 1 : 0;
        return [0, 0.25, 0.5, 0.75, 1].map((share) => ({
            y: top + (1 - share) * (height - top - bottom),
            label: formatFloat(share * this.chartMax, { digits: [16, digits] }),
        }));
    }

    get hourLabels() {
        const { width, left, right, height } = CHART;
        const hours = this.state.data.players.hours;
        const step = (width - left - right) / Math.max(1, hours.length - 1);
        return hours
            .map((hour, index) => ({ index, hour }))
            .filter(({ index }) => index % 6 === 5 || index === 0)
            .map(({ index, hour }) => ({
                x: left + index * step,
                y: height - 8,
                text: deserializeDateTime(hour).toFormat("HH:mm"),
            }));
    }

    get lines() {
        const { width, height, left, right, top, bottom } = CHART;
        const max = this.chartMax;
        return this.state.data.players.series.map((line, index) => {
            const step = (width - left - right) / Math.max(1, line.values.length - 1);
            const points = line.values
                .map((value, i) => `${(left + i * step).toFixed(1)},${(top + (1 - value / max) * (height - top - bottom)).toFixed(1)}`)
                .join(" ");
            return { name: line.name, points, color: COLORS[index % COLORS.length] };
        });
    }

    barWidth(value) {
        return Math.min(100, Math.max(0, value)).toFixed(1);
    }

    utilizationClass(value) {
        return value >= 80 ? "bg-success" : value >= 30 ? "bg-info" : "bg-warning";
    }

    open(xmlid, context = {}) {
        return this.actionService.doAction(xmlid, { additionalContext: context });
    }

    openServer(id) {
        return this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: "game.server",
            res_id: id,
            views: [[false, "form"]],
        });
    }
}

registry.category("actions").add("game_server_status.dashboard", GameServerDashboard);
