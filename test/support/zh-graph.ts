/**
 * A small fictional Chinese company as records (Chinese names and values, English schema names as
 * an import would make them), written into one collection for the Chinese ask tests.
 */
import type { Kgrag } from '../../src/app.ts';

const PEOPLE = [
  // id, name, title, department, city, hireDate, salary, remote, manager
  ['E1', '王芳', '首席执行官', '管理层', '北京', '2015-03-01', 90000, false, null],
  ['E2', '张伟', '工程经理', '研发部', '北京', '2018-06-01', 45000, false, 'E1'],
  ['E3', '李娜', '软件工程师', '研发部', '上海', '2021-09-15', 30000, true, 'E2'],
  ['E4', '刘洋', '数据工程师', '研发部', '北京', '2023-04-10', 28000, false, 'E2'],
  ['E5', '陈静', '销售经理', '销售部', '上海', '2019-02-20', 40000, false, 'E1'],
  ['E6', '赵磊', '销售代表', '销售部', '深圳', '2024-01-08', 20000, true, 'E5'],
] as const;

const PROJECTS = [
  ['P1', '天枢', '进行中', 500000, 'E2'],
  ['P2', '北斗', '进行中', 300000, 'E5'],
  ['P3', '灯塔', '已完成', 200000, 'E2'],
] as const;

const TASKS = [
  // id, name, status, priority, dueDate, hours, assignee, project
  ['T1', '设计数据模型', '已完成', '高', '2024-05-01', 16, 'E3', 'P1'],
  ['T2', '搭建数据管道', '进行中', '高', '2025-08-01', 40, 'E4', 'P1'],
  ['T3', '编写接口文档', '受阻', '中', '2025-03-15', 8, 'E3', 'P1'],
  ['T4', '客户演示', '进行中', '低', '2025-07-20', 6, 'E6', 'P2'],
  ['T5', '合同评审', '已完成', '中', '2024-11-30', 12, 'E5', 'P2'],
  ['T6', '性能测试', '受阻', '高', '2025-06-10', 24, 'E4', 'P3'],
] as const;

export async function writeZhGraph(app: Kgrag, c: string): Promise<void> {
  const rows = (xs: readonly (readonly unknown[])[], keys: string[]) => xs.map((x) => Object.fromEntries(keys.map((k, i) => [k, x[i]])));
  await app.db.write(
    `UNWIND $people AS p
     CREATE (n:KgragEntity:Kgrag_Person {id: $c + ':' + p.id, collection: $c, type: 'Person', employeeId: p.id, name: p.name, normalizedName: p.name,
       title: p.title, department: p.department, city: p.city, hireDate: date(p.hireDate), salary: p.salary, remote: p.remote})
     WITH count(*) AS done
     UNWIND $people AS p
     MATCH (a:Kgrag_Person {id: $c + ':' + p.id}), (m:Kgrag_Person {id: $c + ':' + p.manager})
     CREATE (a)-[:REPORTS_TO]->(m)`,
    { c, people: rows(PEOPLE, ['id', 'name', 'title', 'department', 'city', 'hireDate', 'salary', 'remote', 'manager']) },
  );
  await app.db.write(
    `UNWIND $projects AS p
     MATCH (o:Kgrag_Person {id: $c + ':' + p.owner})
     CREATE (n:KgragEntity:Kgrag_Project {id: $c + ':' + p.id, collection: $c, type: 'Project', name: p.name, normalizedName: p.name, status: p.status, budget: p.budget})
     CREATE (o)-[:LEADS]->(n)`,
    { c, projects: rows(PROJECTS, ['id', 'name', 'status', 'budget', 'owner']) },
  );
  await app.db.write(
    `UNWIND $tasks AS t
     MATCH (a:Kgrag_Person {id: $c + ':' + t.assignee}), (p:Kgrag_Project {id: $c + ':' + t.project})
     CREATE (n:KgragEntity:Kgrag_Task {id: $c + ':' + t.id, collection: $c, type: 'Task', name: t.name, normalizedName: t.name, status: t.status,
       priority: t.priority, dueDate: date(t.dueDate), estimateHours: toFloat(t.hours)})
     CREATE (n)-[:ASSIGNED_TO]->(a), (n)-[:PART_OF_PROJECT]->(p)`,
    { c, tasks: rows(TASKS, ['id', 'name', 'status', 'priority', 'dueDate', 'hours', 'assignee', 'project']) },
  );
  app.catalogs.invalidate();
}
